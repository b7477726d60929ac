/// The kind of an output's locking script, as Bitcoin Core's `Solver` names them.
public enum OutputScriptType: Sendable, Hashable, CustomStringConvertible {
    /// `<33 or 65-byte pubkey> OP_CHECKSIG`.
    case p2pk
    /// `OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG`.
    case p2pkh
    /// `OP_HASH160 <20> OP_EQUAL`.
    case p2sh
    /// Witness v0, 20-byte program.
    case p2wpkh
    /// Witness v0, 32-byte program.
    case p2wsh
    /// Witness v1, 32-byte program (taproot).
    case p2tr
    /// A witness program of another version (1..16) or v1 with another length (e.g. the P2A anchor).
    case witnessUnknown(version: Int)
    /// Bare `OP_m <pubkeys> OP_n OP_CHECKMULTISIG`, 1 <= m <= n <= 16.
    case multisig
    /// A script starting with OP_RETURN: provably unspendable, carries data, has no address.
    case nullData
    /// Anything else (including witness v0 programs of a wrong length).
    case nonStandard

    /// Lower-case name used as the address `type` property: `p2pk`, `p2pkh`, ..., `witness_v2`, `multisig`,
    /// `nulldata`, `nonstandard`.
    public var description: String {
        switch self {
        case .p2pk: return "p2pk"
        case .p2pkh: return "p2pkh"
        case .p2sh: return "p2sh"
        case .p2wpkh: return "p2wpkh"
        case .p2wsh: return "p2wsh"
        case .p2tr: return "p2tr"
        case .witnessUnknown(let version): return "witness_v\(version)"
        case .multisig: return "multisig"
        case .nullData: return "nulldata"
        case .nonStandard: return "nonstandard"
        }
    }
}

/// Classification of output scripts.
public enum BitcoinScript {
    /// The opcode OP_RETURN.
    public static let opReturn: UInt8 = 0x6A

    /// The script type of `script` (see `OutputScriptType`).
    public static func type(of script: [UInt8]) -> OutputScriptType {
        let count = script.count
        if count == 25 && script[0] == 0x76 && script[1] == 0xA9 && script[2] == 0x14 && script[23] == 0x88
            && script[24] == 0xAC
        {
            return .p2pkh
        }
        if count == 23 && script[0] == 0xA9 && script[1] == 0x14 && script[22] == 0x87 { return .p2sh }
        if let (version, program) = witnessProgram(script) {
            if version == 0 {
                if program.count == 20 { return .p2wpkh }
                if program.count == 32 { return .p2wsh }
                return .nonStandard
            }
            if version == 1 && program.count == 32 { return .p2tr }
            return .witnessUnknown(version: version)
        }
        if count >= 1 && script[0] == opReturn { return .nullData }
        if let key = payToPubKeyKey(script), isValidPubKeySize(key) { return .p2pk }
        if isMultisig(script) { return .multisig }
        return .nonStandard
    }

    /// The witness version and program of a witness output (`OP_0`/`OP_1..OP_16` then one 2..40-byte push),
    /// or `nil`.
    public static func witnessProgram(_ script: [UInt8]) -> (version: Int, program: [UInt8])? {
        let count = script.count
        guard count >= 4 && count <= 42 else { return nil }
        let versionOpcode = script[0]
        guard versionOpcode == 0x00 || (0x51...0x60).contains(versionOpcode) else { return nil }
        guard Int(script[1]) + 2 == count else { return nil }
        let version = versionOpcode == 0 ? 0 : Int(versionOpcode) - 0x50
        return (version, Array(script[2...]))
    }

    /// The public key of `<push 33|65> OP_CHECKSIG`, or `nil`.
    static func payToPubKeyKey(_ script: [UInt8]) -> [UInt8]? {
        if script.count == 35 && script[0] == 33 && script[34] == 0xAC { return Array(script[1..<34]) }
        if script.count == 67 && script[0] == 65 && script[66] == 0xAC { return Array(script[1..<66]) }
        return nil
    }

    /// Bitcoin Core's `CPubKey::ValidSize`: 33 bytes with prefix 02/03, 65 bytes with prefix 04/06/07.
    static func isValidPubKeySize(_ key: [UInt8]) -> Bool {
        guard let prefix = key.first else { return false }
        switch prefix {
        case 2, 3: return key.count == 33
        case 4, 6, 7: return key.count == 65
        default: return false
        }
    }

    /// `OP_m <k1> ... <kn> OP_n OP_CHECKMULTISIG` with valid key sizes and 1 <= m <= n <= 16.
    static func isMultisig(_ script: [UInt8]) -> Bool {
        guard script.count >= 3, script[script.count - 1] == 0xAE else { return false }
        let mOpcode = script[0]
        let nOpcode = script[script.count - 2]
        guard (0x51...0x60).contains(mOpcode), (0x51...0x60).contains(nOpcode) else { return false }
        let required = Int(mOpcode) - 0x50
        let total = Int(nOpcode) - 0x50
        guard required <= total else { return false }
        var index = 1
        var keys = 0
        while index < script.count - 2 {
            let length = Int(script[index])
            guard length == 33 || length == 65, index + 1 + length <= script.count - 2 else { return false }
            guard isValidPubKeySize(Array(script[(index + 1)...(index + length)])) else { return false }
            index += 1 + length
            keys += 1
        }
        return keys == total
    }
}
