/// One typology case the transfers generator planted (``TransfersGenerator/Options/plantTypologies``).
///
/// Every case uses addresses of its own (never an ordinary or sanctioned one), native-coin transfers, one
/// transaction per transfer, written on consecutive rows (so in chain order, seconds apart):
/// - `peelChain`: `F → P₀` of `x₀ = 10¹⁹ + case·10¹⁵`; then each `Pᵢ` (i = 0…3) peels `xᵢ/20` to its own `Xᵢ` and
///   forwards the rest `xᵢ − xᵢ/20` to `Pᵢ₊₁`: four peel steps. Subject `P₀`; addresses `F, P₀…P₄, X₀…X₃`.
/// - `fanOut`: `F → O` of the total, then `O` pays 8 fresh receivers `5·10¹⁷ + i·10¹⁶ + case·10¹³` (i = 0…7), all
///   below 10¹⁸. Subject `O`; addresses `F, O, R₀…R₇`.
/// - `fanIn`: 8 fresh senders pay `C` the same amounts, then `C` sends the total on to `E`. Subject `C`;
///   addresses `S₀…S₇, C, E`.
/// - `passThrough`: `F → M` of `x = 3·10¹⁸ + case·10¹⁵`, then `M` sends `60 %` of it to `E₁` and `39 %` to `E₂`.
///   Subject `M`; addresses `F, M, E₁, E₂`.
/// - `roundTrip`: `O → A₁ → … → O` with `2 + case mod 3` hops, starting with `v = 2·10¹⁸ + case·10¹⁵`, each hop
///   passing on `95 %` (integer floor) of what it got. Subject `O`; addresses `O, A₁, …`.
public struct PlantedTypology: Sendable, Hashable, Codable {
    /// The kinds of planted case.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A peel chain of four steps.
        case peelChain
        /// One address paying eight.
        case fanOut
        /// Eight addresses paying one.
        case fanIn
        /// Funds in and out again within seconds.
        case passThrough
        /// A cycle back to the origin in 2 to 4 hops.
        case roundTrip
    }

    /// What was planted.
    public var kind: Kind
    /// The address a detector reports the case at (see the type's description).
    public var subject: String
    /// Every address of the case, in the order the description lists them.
    public var addresses: [String]
    /// Transfers written for the case.
    public var transfers: Int
    /// Block of its first transfer.
    public var block: UInt64
    /// Number of hops (round trips) or peel steps (peel chains); 0 otherwise.
    public var hops: Int
}

/// One planted row: endpoints as address words and a native value.
struct TypologyRow {
    var from: (UInt64, UInt64, UInt64)
    var to: (UInt64, UInt64, UInt64)
    var value: UInt64
}

/// A planted case: its rows and its manifest entry.
struct TypologyCase {
    var rows: [TypologyRow]
    var manifest: PlantedTypology
}

extension TransfersGenerator {
    /// `count` cases of each kind, interleaved (peel chain, fan-out, fan-in, pass-through, round trip, peel chain, …).
    static func typologyCases(count: Int, seed: UInt64) -> [TypologyCase] {
        guard count > 0 else { return [] }
        let salt = seed ^ 0x9A4E_7000_0000_0000
        var next: UInt64 = 0
        func fresh() -> (UInt64, UInt64, UInt64) {
            defer { next += 1 }
            return addressWords(salt: salt, index: next)
        }
        func text(_ words: (UInt64, UInt64, UInt64)) -> String {
            var buffer = LineBuffer()
            defer { buffer.deallocate() }
            buffer.appendAddress(words)
            return buffer.text
        }
        var cases: [TypologyCase] = []
        for number in 0..<count {
            let index = UInt64(number)
            for kind in PlantedTypology.Kind.allCases {
                var rows: [TypologyRow] = []
                var addresses: [(UInt64, UInt64, UInt64)] = []
                var hops = 0
                switch kind {
                case .peelChain:
                    let funder = fresh()
                    let hopsAddresses = (0...4).map { _ in fresh() }
                    let peels = (0..<4).map { _ in fresh() }
                    var amount: UInt64 = 10_000_000_000_000_000_000 + index * 1_000_000_000_000_000
                    rows.append(TypologyRow(from: funder, to: hopsAddresses[0], value: amount))
                    for step in 0..<4 {
                        let peel = amount / 20
                        rows.append(TypologyRow(from: hopsAddresses[step], to: peels[step], value: peel))
                        rows.append(
                            TypologyRow(from: hopsAddresses[step], to: hopsAddresses[step + 1], value: amount - peel))
                        amount -= peel
                    }
                    addresses = [funder] + hopsAddresses + peels
                    hops = 4
                case .fanOut:
                    let funder = fresh()
                    let origin = fresh()
                    let receivers = (0..<8).map { _ in fresh() }
                    let amounts = (0..<8).map { Self.smallAmount(UInt64($0), case: index) }
                    rows.append(TypologyRow(from: funder, to: origin, value: amounts.reduce(0, +)))
                    for (receiver, amount) in zip(receivers, amounts) {
                        rows.append(TypologyRow(from: origin, to: receiver, value: amount))
                    }
                    addresses = [funder, origin] + receivers
                case .fanIn:
                    let senders = (0..<8).map { _ in fresh() }
                    let collector = fresh()
                    let exit = fresh()
                    let amounts = (0..<8).map { Self.smallAmount(UInt64($0), case: index) }
                    for (sender, amount) in zip(senders, amounts) {
                        rows.append(TypologyRow(from: sender, to: collector, value: amount))
                    }
                    rows.append(TypologyRow(from: collector, to: exit, value: amounts.reduce(0, +)))
                    addresses = senders + [collector, exit]
                case .passThrough:
                    let funder = fresh()
                    let middle = fresh()
                    let exits = (fresh(), fresh())
                    let amount: UInt64 = 3_000_000_000_000_000_000 + index * 1_000_000_000_000_000
                    rows.append(TypologyRow(from: funder, to: middle, value: amount))
                    rows.append(TypologyRow(from: middle, to: exits.0, value: amount / 100 * 60))
                    rows.append(TypologyRow(from: middle, to: exits.1, value: amount / 100 * 39))
                    addresses = [funder, middle, exits.0, exits.1]
                case .roundTrip:
                    hops = 2 + number % 3
                    let origin = fresh()
                    let intermediates = (1..<hops).map { _ in fresh() }
                    let path = [origin] + intermediates + [origin]
                    var amount: UInt64 = 2_000_000_000_000_000_000 + index * 1_000_000_000_000_000
                    for hop in 0..<hops {
                        rows.append(TypologyRow(from: path[hop], to: path[hop + 1], value: amount))
                        amount = amount / 100 * 95
                    }
                    addresses = [origin] + intermediates
                }
                let subjectIndex: Int
                switch kind {
                case .peelChain, .fanOut, .passThrough: subjectIndex = 1
                case .fanIn: subjectIndex = 8
                case .roundTrip: subjectIndex = 0
                }
                let texts = addresses.map(text)
                cases.append(
                    TypologyCase(
                        rows: rows,
                        manifest: PlantedTypology(
                            kind: kind, subject: texts[subjectIndex], addresses: texts, transfers: rows.count, block: 0,
                            hops: hops)))
            }
        }
        return cases
    }

    /// The `i`-th small amount of a structuring case: `5·10¹⁷ + i·10¹⁶ + case·10¹³`, below 10¹⁸ for i < 8 and
    /// case < 10⁴.
    static func smallAmount(_ i: UInt64, case index: UInt64) -> UInt64 {
        500_000_000_000_000_000 + i * 10_000_000_000_000_000 + (index % 10_000) * 10_000_000_000_000
    }
}
