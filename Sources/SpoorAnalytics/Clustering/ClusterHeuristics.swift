public import SpoorStore

/// The clustering heuristics, each named and switchable (DESIGN.md section 5).
public enum ClusterHeuristic: String, Sendable, Hashable, CaseIterable, Codable {
    /// Common-input ownership: every address spending in one transaction belongs to one owner. On by default.
    case multiInput = "multi-input"
    /// Change: of two outputs, the one paying an address never seen before (the other was seen) is change.
    case changeOneTime = "change-one-time"
    /// Change: the only output whose address type (P2PKH, P2WPKH, P2TR, …) equals that of all inputs is change.
    case changeSameType = "change-same-type"
    /// Change: of two outputs, when exactly one is a round amount (a multiple of 100,000 sat), the other is change.
    case changeRoundPayment = "change-round-payment"
    /// Change: the only output smaller than the smallest input is change ("optimal change").
    case changeOptimal = "change-optimal"
    /// Account chains: every transfer joins its two ends (weakly connected components of the transfer graph).
    case accountComponent = "account-component"
    /// Account chains: an address all of whose sends go to addresses tagged as an exchange is a deposit address;
    /// the addresses that paid it belong to its owner (the deposit-address reuse heuristic). On by default there.
    case depositAddress = "deposit-address"

    /// The code stored with each merge.
    public var code: UInt8 { UInt8(Self.allCases.firstIndex(of: self) ?? 0) }

    /// The heuristic of a stored code.
    public init?(code: UInt8) {
        guard Int(code) < Self.allCases.count else { return nil }
        self = Self.allCases[Int(code)]
    }
}

/// The named CoinJoin shapes that the multi-input heuristic skips (their inputs belong to many owners).
public enum CoinJoinPattern: String, Sendable, Hashable, CaseIterable {
    /// Wasabi: many inputs (≥ 10) and ≥ 10 equal outputs near 0.1 BTC.
    case wasabi
    /// Whirlpool: exactly 5 inputs and 5 equal outputs at a pool denomination (0.001, 0.01, 0.05, 0.5 BTC).
    case whirlpool
    /// JoinMarket: n ≥ 3 equal outputs and at most n + 1 others (change), at least n inputs.
    case joinMarket = "joinmarket"
    /// Generic: ≥ 2 distinct input addresses and ≥ 2 equal outputs that are the most common output value, with at
    /// least as many equal outputs as half the outputs.
    case generic

    /// The pattern a transaction matches, `nil` when it looks like an ordinary payment. Whirlpool, Wasabi and
    /// JoinMarket are tried first (most specific first).
    public static func match(_ details: UTXODetails) -> CoinJoinPattern? {
        let inputs = details.inputs.count
        let outputs = details.outputs.map(\.value)
        guard inputs >= 2, outputs.count >= 2 else { return nil }
        var counts: [Amount: Int] = [:]
        for value in outputs { counts[value, default: 0] += 1 }
        guard let (value, equal) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }), equal >= 2 else {
            return nil
        }
        let satoshi = value.uint64Value ?? 0
        if inputs == 5 && outputs.count == 5 && equal == 5 && [100_000, 1_000_000, 5_000_000, 50_000_000].contains(satoshi) {
            return .whirlpool
        }
        if inputs >= 10 && equal >= 10 && (9_000_000...11_000_000).contains(satoshi) { return .wasabi }
        if equal >= 3 && outputs.count - equal <= equal + 1 && inputs >= equal { return .joinMarket }
        let distinctInputs = Set(details.inputs.compactMap(\.address)).count
        if distinctInputs >= 2 && equal * 2 >= outputs.count { return .generic }
        return nil
    }
}

/// The script type of an address from its text form (the encoder's prefixes): used by the same-type heuristic.
public enum AddressKind: String, Sendable, Hashable {
    case p2pkh, p2sh, p2wpkh, p2wsh, p2tr, other

    /// The kind of a Bitcoin address text (mainnet, testnet, signet and regtest prefixes).
    public init(address text: String) {
        let lower = text.lowercased()
        if let separator = lower.firstIndex(of: "1"), ["bc", "tb", "bcrt"].contains(String(lower[..<separator])) {
            let program = lower[lower.index(after: separator)...]
            switch (program.first, lower.count) {
            case ("q", ...45): self = .p2wpkh
            case ("q", _): self = .p2wsh
            case ("p", _): self = .p2tr
            default: self = .other
            }
            return
        }
        switch text.first {
        case "1", "m", "n": self = .p2pkh
        case "3", "2": self = .p2sh
        default: self = .other
        }
    }
}
