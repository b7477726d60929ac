public import SpoorStore

/// Rapid pass-through: funds come into an address and most of them leave again within a short time.
///
/// **Definition.** Walk address `A`'s stream of one asset in chain order (zero values and self-transfers ignored)
/// keeping its balance `B` as DESIGN.md's account model does (a receipt adds; a send of `y` takes `min(y, B)`). An
/// incoming transfer `r` of value `x ≥ minAmount` starts a *pass-through* when `A` was nearly empty before it
/// (`B × 100 < x × (100 − minOutPercent)`, so `B = 0` when `minOutPercent` is 100). The outgoing transfers after `r`
/// are summed in chain order while they come within `maxDelay` seconds of `r` and before `A` receives anything else
/// of that asset; the finding is the shortest such run whose sum `S` reaches `S × 100 ≥ x × minOutPercent`, provided
/// `S ≤ B + x` (no more left than there was). Its delay is the last send's time minus `r`'s time.
public struct PassThroughOptions: Sendable, Hashable {
    /// Seconds within which the funds must leave (default 3,600).
    public var maxDelay: Int64 = 3_600
    /// Smallest share of the receipt that must leave, in percent (default 90).
    public var minOutPercent: UInt64 = 90
    /// The smallest receipt considered (default 1).
    public var minAmount = Amount(1)

    /// The defaults.
    public init() {}

    func validate() throws(TypologyError) {
        guard maxDelay >= 0 else { throw TypologyError("maxDelay must be seconds >= 0, found \(maxDelay)") }
        try percentIsValid(minOutPercent, name: "minOutPercent")
    }
}

/// A pass-through found by ``PassThroughDetector``.
public struct PassThroughFinding: Sendable, Hashable {
    /// The address the funds went through.
    public var address: String
    /// The receipt.
    public var received: TypologyTransfer
    /// The sends that took it on, in chain order.
    public var sent: [TypologyTransfer]
    /// Their total, exact.
    public var sentTotal: Amount
    /// Seconds from the receipt to the last send.
    public var delay: Int64 { Seconds.between(received.time, sent.last?.time ?? received.time) }
}

/// Finds rapid pass-throughs (see ``PassThroughOptions`` for the definition).
public struct PassThroughDetector {
    /// The definition's parameters.
    public var options: PassThroughOptions

    /// A detector with `options`.
    public init(options: PassThroughOptions = PassThroughOptions()) {
        self.options = options
    }

    /// The pass-throughs at one address, in chain order; none for an unknown address.
    /// - Complexity: O(degree).
    public func findings(at address: String, in reader: GraphReader) throws -> [PassThroughFinding] {
        try options.validate()
        guard let id = try reader.addressID(address) else { return [] }
        return try findings(at: id, context: TypologyContext(reader: reader))
    }

    /// Every pass-through in the store, by address id, then chain order.
    /// - Complexity: O(transfers).
    public func scan(_ reader: GraphReader) throws -> [PassThroughFinding] {
        try options.validate()
        let context = TypologyContext(reader: reader)
        var result: [PassThroughFinding] = []
        try reader.forEachAddress { record in
            if record.inCount > 0 && record.outCount > 0 { result += try findings(at: record.id, context: context) }
            return true
        }
        return result
    }

    func findings(at id: AddressID, context: TypologyContext) throws -> [PassThroughFinding] {
        let stream = try context.reader.incidences(of: id).filter { $0.counts(owner: id) }
        var balances: [AssetID: Amount] = [:]
        var found: [(TransferID, Incidence, [Incidence], Amount)] = []
        for (index, incidence) in stream.enumerated() {
            let asset = incidence.properties.asset
            let balance = balances[asset, default: .zero]
            let value = incidence.properties.value
            if incidence.direction == .outgoing {
                balances[asset] = balance.subtracting(min(value, balance)) ?? .zero
                continue
            }
            balances[asset] = balance.adding(value) ?? .max
            guard value >= options.minAmount,
                Share.below(balance, percent: 100 - options.minOutPercent, of: value)
                    || options.minOutPercent == 100
                        && balance.isZero
            else { continue }
            var sum = Amount.zero
            var sends: [Incidence] = []
            for next in stream[(index + 1)...] where next.properties.asset == asset {
                if next.direction == .incoming { break }
                let time = next.properties.time
                guard Seconds.within(time, after: incidence.properties.time, limit: options.maxDelay) else { break }
                guard let total = sum.adding(next.properties.value) else { break }
                sum = total
                sends.append(next)
                if Share.atLeast(sum, percent: options.minOutPercent, of: value) { break }
            }
            guard !sends.isEmpty, Share.atLeast(sum, percent: options.minOutPercent, of: value),
                let available = balance.adding(value), sum <= available
            else { continue }
            found.append((incidence.transfer, incidence, sends, sum))
        }
        return try found.map { _, receipt, sends, sum in
            PassThroughFinding(
                address: try context.text(id), received: try context.transfer(receipt, of: id),
                sent: try sends.map { try context.transfer($0, of: id) }, sentTotal: sum)
        }
    }
}
