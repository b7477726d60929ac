/// A Bitcoin network: the magic bytes that frame blocks in `blk*.dat` files and the address prefixes.
public enum BitcoinNetwork: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The main network.
    case mainnet
    /// testnet3.
    case testnet
    /// The default signet.
    case signet
    /// A local regression-test network.
    case regtest

    /// Parses `mainnet` (also `main`, `bitcoin`), `testnet` (also `test`, `testnet3`), `signet`, `regtest`;
    /// `nil` for anything else.
    public init?(name: String) {
        switch name.lowercased() {
        case "mainnet", "main", "bitcoin": self = .mainnet
        case "testnet", "test", "testnet3": self = .testnet
        case "signet": self = .signet
        case "regtest": self = .regtest
        default: return nil
        }
    }

    /// The four message-start bytes that precede each block in a `blk*.dat` file.
    public var magic: [UInt8] {
        switch self {
        case .mainnet: return [0xF9, 0xBE, 0xB4, 0xD9]
        case .testnet: return [0x0B, 0x11, 0x09, 0x07]
        case .signet: return [0x0A, 0x03, 0xCF, 0x40]
        case .regtest: return [0xFA, 0xBF, 0xB5, 0xDA]
        }
    }

    /// The Base58Check version byte of P2PKH addresses.
    public var p2pkhPrefix: UInt8 { self == .mainnet ? 0x00 : 0x6F }

    /// The Base58Check version byte of P2SH addresses.
    public var p2shPrefix: UInt8 { self == .mainnet ? 0x05 : 0xC4 }

    /// The human-readable part of segwit (bech32/bech32m) addresses.
    public var bech32HumanReadablePart: String {
        switch self {
        case .mainnet: return "bc"
        case .testnet, .signet: return "tb"
        case .regtest: return "bcrt"
        }
    }

    /// The network's name as `init(name:)` reads it.
    public var description: String { rawValue }
}
