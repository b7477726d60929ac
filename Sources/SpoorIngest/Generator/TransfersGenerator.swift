#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a synthetic, deterministic transfers-csv file shaped like an account chain's transfer log.
///
/// - Degrees are power-law: senders and receivers are drawn log-uniformly over address ranks (P(rank k) ∝ 1/k),
///   so the lowest ranks are exchange-like hubs (at 1M transfers the top few addresses have 10^4+ edges).
/// - Values: mostly 10^15..10^20 (wei-like), some small, ``Options/hugeValueShare`` above 2^127 (spam-token-like,
///   including exactly 2^256 − 1), ``Options/zeroValueShare`` exact zeros.
/// - ``Options/tokenShare`` of transfers move one of ``Options/tokenCount`` token contracts.
/// - Blocks increase (about ``Options/transfersPerBlock`` transfers each, ``Options/secondsPerBlock`` apart);
///   log indexes increase within a block; most transfers have their own transaction, some share one (2–3).
/// - Each ``Options/sanctioned`` address sends exactly ``Options/transfersPerSanctioned`` native transfers to
///   ordinary (non-hub) addresses, spread evenly through the file.
///
/// The same options give a byte-identical file (own PRNG, no floating-point formatting). Memory is O(addresses):
/// rows are streamed; addresses are derived from the seed and their rank, and only a degree counter is kept.
public struct TransfersGenerator: Sendable {
    /// Generator parameters.
    public struct Options: Sendable, Hashable {
        /// The PRNG seed.
        public var seed: UInt64
        /// Number of transfers to write (planted ones included).
        public var transferCount: Int
        /// Number of ordinary addresses to draw from (default: transferCount / 8, at least 1,000).
        public var addressCount: Int
        /// Number of token contracts.
        public var tokenCount = 5
        /// Share of token (non-native) transfers.
        public var tokenShare = 0.3
        /// Share of values above 2^127.
        public var hugeValueShare = 0.01
        /// Share of zero values.
        public var zeroValueShare = 0.0002
        /// Share of transactions with 2 or 3 transfers.
        public var multiTransferShare = 0.1
        /// Mean transfers per block.
        public var transfersPerBlock = 150
        /// Seconds between blocks.
        public var secondsPerBlock: Int64 = 12
        /// The first block number.
        public var firstBlock: UInt64 = 15_000_000
        /// The first block's time (unix seconds).
        public var firstTimestamp: Int64 = 1_660_000_000
        /// Addresses (0x + 40 hex) planted as senders, e.g. the first 5 of the OFAC ETH list.
        public var sanctioned: [String] = []
        /// How many transfers each sanctioned address sends.
        public var transfersPerSanctioned = 10
        /// Ranks below this count as hubs: planted transfers never pay them.
        public var hubRanks = 100
        /// How many cases of each typology (peel chain, fan-out, fan-in, pass-through, round trip) to plant, on
        /// addresses of their own, spread evenly through the file; 0 (the default) plants none and leaves the output
        /// byte-identical to a generator without this option. See ``PlantedTypology`` for the shapes.
        public var plantTypologies = 0

        /// Options for `transferCount` transfers from `seed`, with defaults for the rest.
        public init(seed: UInt64, transferCount: Int, addressCount: Int? = nil) {
            self.seed = seed
            self.transferCount = transferCount
            self.addressCount = addressCount ?? Swift.max(1_000, transferCount / 8)
        }
    }

    /// An address and its number of transfers (in + out).
    public struct Hub: Sendable, Hashable {
        /// Canonical address text.
        public var address: String
        /// Transfers sent plus received.
        public var degree: Int
    }

    /// What was written.
    public struct Summary: Sendable, Hashable, CustomStringConvertible {
        /// The output path.
        public var path: String
        /// Rows written.
        public var transfers = 0
        /// Distinct blocks.
        public var blocks = 0
        /// Distinct transactions.
        public var transactions = 0
        /// Token (non-native) transfers.
        public var tokenTransfers = 0
        /// Values above 2^127.
        public var hugeValues = 0
        /// Values of exactly 2^256 − 1.
        public var maximumValues = 0
        /// Zero values.
        public var zeroValues = 0
        /// Planted transfers from sanctioned addresses, in total.
        public var plantedTransfers = 0
        /// Planted transfers per sanctioned address (canonical lowercase).
        public var plantedBySender: [String: Int] = [:]
        /// Distinct addresses that appear (ordinary + sanctioned).
        public var distinctAddresses = 0
        /// The five busiest addresses.
        public var hubs: [Hub] = []
        /// The token contracts used.
        public var tokens: [String] = []
        /// First and last block numbers.
        public var blockRange: ClosedRange<UInt64> = 0...0
        /// SHA-256 of the file, lowercase hex.
        public var sha256 = ""
        /// The manifest of the planted typology cases (empty unless ``Options/plantTypologies`` is set).
        public var typologies: [PlantedTypology] = []
        /// Bytes written.
        public var bytes = 0

        public var description: String {
            var lines = [
                "wrote \(transfers) transfers to \(path) (\(bytes) bytes, sha256 \(sha256))",
                "blocks \(blocks) (\(blockRange.lowerBound)...\(blockRange.upperBound)), transactions \(transactions), "
                    + "addresses \(distinctAddresses)",
                "token transfers \(tokenTransfers) over \(tokens.count) tokens, values > 2^127: \(hugeValues) "
                    + "(of which 2^256-1: \(maximumValues)), zero values: \(zeroValues)",
                "planted \(plantedTransfers) transfers from \(plantedBySender.count) sanctioned addresses",
            ]
            for (address, count) in plantedBySender.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(address): \(count)")
            }
            lines.append("hubs (degree):")
            for hub in hubs { lines.append("  \(hub.address): \(hub.degree)") }
            if !typologies.isEmpty {
                lines.append("planted typologies (kind, subject, block, transfers):")
                for planted in typologies {
                    lines.append("  \(planted.kind.rawValue) \(planted.subject) \(planted.block) \(planted.transfers)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The parameters.
    public var options: Options

    /// A generator for `options`.
    public init(options: Options) {
        self.options = options
    }

    /// The canonical text of ordinary address `rank` for `seed` (rank 0 is the busiest hub).
    public static func address(rank: Int, seed: UInt64) -> String {
        var line = LineBuffer()
        defer { line.deallocate() }
        line.appendAddress(addressWords(salt: seed ^ 0xADD2_E55E_5000_0000, index: UInt64(rank)))
        return line.text
    }

    static func addressWords(salt: UInt64, index: UInt64) -> (UInt64, UInt64, UInt64) {
        let base = SplitMix64.mix(salt &+ index &* 0x9E37_79B9_7F4A_7C15)
        return (base, SplitMix64.mix(base ^ 0x5555_5555_5555_5555), SplitMix64.mix(base &+ 0x1234_5678_9ABC_DEF1))
    }

    /// Writes the file and returns what it holds.
    ///
    /// - Throws: ``IngestError/invalidArgument(_:)`` for bad options or a sanctioned entry that is not 0x + 40 hex;
    ///   ``IngestError/unreadable(file:reason:)`` when the file cannot be written.
    public func write(to path: String) throws(IngestError) -> Summary {
        let options = self.options
        guard options.transferCount >= 0, options.addressCount >= 2, options.tokenCount >= 1,
            options.transfersPerBlock >= 1, options.transfersPerSanctioned >= 0,
            options.hubRanks < options.addressCount, options.plantTypologies >= 0
        else {
            throw .invalidArgument("generator options out of range: \(options)")
        }
        var sanctionedWords: [(UInt64, UInt64, UInt64)] = []
        var sanctionedText: [String] = []
        for entry in options.sanctioned {
            guard let canonical = TransferRow.canonicalAddress(entry) else {
                throw .invalidArgument("sanctioned address '\(entry)' is not 0x and 40 hex digits")
            }
            guard !sanctionedText.contains(canonical) else {
                throw .invalidArgument("sanctioned address '\(entry)' is listed twice")
            }
            sanctionedText.append(canonical)
            sanctionedWords.append(Self.words(ofCanonical: canonical))
        }
        let plantedTotal = sanctionedText.count * options.transfersPerSanctioned
        guard plantedTotal <= options.transferCount / 2 else {
            throw .invalidArgument(
                "\(plantedTotal) planted transfers do not fit in \(options.transferCount) transfers (at most half)")
        }

        var plants = Self.typologyCases(count: options.plantTypologies, seed: options.seed)
        let plantRows = plants.reduce(0) { $0 + $1.rows.count }
        guard plantRows <= options.transferCount / 4 else {
            throw .invalidArgument(
                "\(plantRows) planted typology transfers do not fit in \(options.transferCount) transfers "
                    + "(at most a quarter)")
        }
        let plantStarts = plants.indices.map { (2 * $0 + 1) * options.transferCount / (2 * plants.count) }
        var plantCase = 0
        var plantRow = 0

        let output = try OutputFile(path: path)
        output.append(TransfersCSVReader.header)
        output.append(UInt8(ascii: "\n"))

        var random = Xoshiro256(seed: options.seed)
        let addressCount = options.addressCount
        let addressSalt = options.seed ^ 0xADD2_E55E_5000_0000
        let tokenSalt = options.seed ^ 0x70CE_4000_0000_0000
        let tokenWords = (0..<options.tokenCount).map { Self.addressWords(salt: tokenSalt, index: UInt64($0)) }
        let logRanks = log(Double(addressCount) + 1)
        // A bijection of ranks for the non-hub half of senders (multiplier coprime with the count).
        var multiplier = 2_654_435_761 % addressCount
        while multiplier < 2 || gcd(multiplier, addressCount) != 1 { multiplier += 1 }
        let offset = addressCount / 3
        var degrees = [UInt32](repeating: 0, count: addressCount)
        var plantedCounts = [Int](repeating: 0, count: sanctionedText.count)

        var summary = Summary(path: path)
        var line = LineBuffer()
        defer { line.deallocate() }

        var block = options.firstBlock
        var blockRemaining = 0
        var logIndex: UInt64 = 0
        var txRemaining = 0
        var txHash: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var plantedIndex = 0
        var nextPlanted = plantedTotal > 0 ? options.transferCount / (2 * plantedTotal) : Int.max
        let maximumDecimal = Array(
            "115792089237316195423570985008687907853269984665640564039457584007913129639935".utf8)

        @inline(__always)
        func zipfRank(_ random: inout Xoshiro256) -> Int {
            let rank = Int(exp(random.unit() * logRanks)) - 1
            return rank < addressCount ? (rank < 0 ? 0 : rank) : addressCount - 1
        }

        for index in 0..<options.transferCount {
            // A planted typology row takes this slot unless a sanctioned transfer does.
            var typologyRow: TypologyRow? = nil
            if plantCase < plants.count && index >= plantStarts[plantCase] && index != nextPlanted {
                typologyRow = plants[plantCase].rows[plantRow]
                plantRow += 1
            }
            // Block and transaction bookkeeping.
            if blockRemaining == 0 {
                if index > 0 { block += 1 }
                blockRemaining = 1 + random.below(2 * options.transfersPerBlock - 1)
                logIndex = UInt64(random.below(3))
                txRemaining = 0
                summary.blocks += 1
            } else {
                logIndex += 1 + UInt64(random.below(2))
            }
            blockRemaining -= 1
            if typologyRow != nil { txRemaining = 0 }  // Each planted transfer is a transaction of its own.
            if txRemaining == 0 {
                txHash = (random.next(), random.next(), random.next(), random.next())
                txRemaining = random.unit() < options.multiTransferShare ? 2 + random.below(2) : 1
                summary.transactions += 1
            }
            txRemaining -= 1
            if blockRemaining == 0 { txRemaining = 0 }

            // Endpoints.
            var fromWords: (UInt64, UInt64, UInt64)
            let toRank: Int
            var isPlanted = false
            if let typologyRow {
                fromWords = typologyRow.from
                toRank = -1
            } else if index == nextPlanted {
                let senderIndex = plantedIndex % sanctionedText.count
                fromWords = sanctionedWords[senderIndex]
                plantedCounts[senderIndex] += 1
                toRank = options.hubRanks + random.below(addressCount - options.hubRanks)
                plantedIndex += 1
                // Evenly spaced: slot j sits at (2j + 1) · N / (2P).
                nextPlanted =
                    plantedIndex < plantedTotal
                    ? (2 * plantedIndex + 1) * options.transferCount / (2 * plantedTotal) : Int.max
                isPlanted = true
            } else {
                var fromRank = zipfRank(&random)
                if random.next() & 1 == 0 { fromRank = (fromRank * multiplier + offset) % addressCount }
                var receiver = zipfRank(&random)
                if receiver == fromRank { receiver = (receiver + 1) % addressCount }
                toRank = receiver
                degrees[fromRank] &+= 1
                fromWords = Self.addressWords(salt: addressSalt, index: UInt64(fromRank))
            }
            let toWords: (UInt64, UInt64, UInt64)
            if let typologyRow {
                toWords = typologyRow.to
                if plantRow == 1 { plants[plantCase].manifest.block = block }
                if plantRow == plants[plantCase].rows.count {
                    summary.typologies.append(plants[plantCase].manifest)
                    plantCase += 1
                    plantRow = 0
                }
            } else {
                degrees[toRank] &+= 1
                toWords = Self.addressWords(salt: addressSalt, index: UInt64(toRank))
            }

            // The row.
            line.reset()
            line.appendByte(UInt8(ascii: "0"))
            line.appendByte(UInt8(ascii: "x"))
            line.appendHex(txHash.0, bytes: 8)
            line.appendHex(txHash.1, bytes: 8)
            line.appendHex(txHash.2, bytes: 8)
            line.appendHex(txHash.3, bytes: 8)
            line.appendByte(UInt8(ascii: ","))
            line.appendDecimal(block)
            line.appendByte(UInt8(ascii: ","))
            line.appendDecimal(
                UInt64(options.firstTimestamp + Int64(block - options.firstBlock) * options.secondsPerBlock))
            line.appendByte(UInt8(ascii: ","))
            line.appendAddress(fromWords)
            line.appendByte(UInt8(ascii: ","))
            line.appendAddress(toWords)
            line.appendByte(UInt8(ascii: ","))
            if let typologyRow {
                line.appendDecimal(typologyRow.value)
                line.appendByte(UInt8(ascii: ","))
                line.appendByte(UInt8(ascii: ","))
                line.appendDecimal(logIndex)
                line.appendByte(UInt8(ascii: "\n"))
                line.flush(into: output)
                try output.flushIfNeeded()
                continue
            }
            let valueDraw = random.unit()
            if valueDraw < options.zeroValueShare {
                line.appendByte(UInt8(ascii: "0"))
                summary.zeroValues += 1
            } else if valueDraw < options.zeroValueShare + options.hugeValueShare && !isPlanted {
                summary.hugeValues += 1
                if random.below(20) == 0 {
                    line.append(maximumDecimal)
                    summary.maximumValues += 1
                } else {
                    // 40...77 digits: above 10^39 > 2^127 and below 10^77 < 2^256.
                    line.appendRandomDigits(count: 40 + random.below(38), random: &random)
                }
            } else if random.below(20) == 0 {
                line.appendRandomDigits(count: 1 + random.below(15), random: &random)
            } else {
                // 16...20 digits: 10^15 ≤ value < 10^20.
                line.appendRandomDigits(count: 16 + random.below(5), random: &random)
            }
            line.appendByte(UInt8(ascii: ","))
            if !isPlanted && random.unit() < options.tokenShare {
                line.appendAddress(tokenWords[random.below(tokenWords.count)])
                summary.tokenTransfers += 1
            }
            line.appendByte(UInt8(ascii: ","))
            line.appendDecimal(logIndex)
            line.appendByte(UInt8(ascii: "\n"))
            line.flush(into: output)
            try output.flushIfNeeded()
        }
        summary.transfers = options.transferCount
        summary.plantedTransfers = plantedIndex
        for (address, count) in zip(sanctionedText, plantedCounts) { summary.plantedBySender[address] = count }
        summary.distinctAddresses = degrees.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } + plantedCounts.filter { $0 > 0 }.count
            + Set(summary.typologies.flatMap(\.addresses)).count
        summary.blockRange = options.firstBlock...(options.transferCount > 0 ? block : options.firstBlock)
        let top = degrees.indices.sorted { degrees[$0] != degrees[$1] ? degrees[$0] > degrees[$1] : $0 < $1 }.prefix(5)
        summary.hubs = top.map { Hub(address: Self.address(rank: $0, seed: options.seed), degree: Int(degrees[$0])) }
        summary.tokens = tokenWords.map { words in
            var buffer = LineBuffer()
            defer { buffer.deallocate() }
            buffer.appendAddress(words)
            return buffer.text
        }
        summary.sha256 = try output.finish()
        summary.bytes = output.bytesWritten
        return summary
    }

    static func words(ofCanonical text: String) -> (UInt64, UInt64, UInt64) {
        var digits: [UInt64] = []
        for byte in text.utf8.dropFirst(2) { digits.append(UInt64(FieldParsing.hexDigit(byte))) }
        func word(_ range: Range<Int>) -> UInt64 { digits[range].reduce(0) { $0 << 4 | $1 } }
        return (word(0..<16), word(16..<32), word(32..<40) << 32)
    }

    private func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

/// A fixed scratch line: formats one row without per-byte array growth.
struct LineBuffer {
    private let storage: UnsafeMutablePointer<UInt8>
    private var count = 0
    static let capacity = 512

    init() {
        storage = .allocate(capacity: LineBuffer.capacity)
    }

    func deallocate() { storage.deallocate() }

    mutating func reset() { count = 0 }

    var text: String { String(decoding: UnsafeBufferPointer(start: storage, count: count), as: UTF8.self) }

    @inline(__always)
    mutating func appendByte(_ byte: UInt8) {
        // Safe because a row is at most 66 + 2·20 + 3·42 + 78 + 10 + 8 < 512 bytes.
        storage[count] = byte
        count &+= 1
    }

    mutating func append(_ bytes: [UInt8]) {
        for byte in bytes { appendByte(byte) }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt64) -> UInt8 {
        let value = UInt8(truncatingIfNeeded: nibble & 0x0F)
        return value < 10 ? value &+ 48 : value &+ 87
    }

    /// The top `bytes` bytes of `word` as hex, most significant first.
    @inline(__always)
    mutating func appendHex(_ word: UInt64, bytes: Int) {
        var shift = 60
        for _ in 0..<(bytes * 2) {
            appendByte(LineBuffer.hexDigit(word >> UInt64(shift)))
            shift -= 4
        }
    }

    /// `0x` and 40 hex digits from 160 bits (`words.2` contributes its top 32 bits).
    @inline(__always)
    mutating func appendAddress(_ words: (UInt64, UInt64, UInt64)) {
        appendByte(UInt8(ascii: "0"))
        appendByte(UInt8(ascii: "x"))
        appendHex(words.0, bytes: 8)
        appendHex(words.1, bytes: 8)
        appendHex(words.2, bytes: 4)
    }

    mutating func appendDecimal(_ value: UInt64) {
        if value == 0 {
            appendByte(UInt8(ascii: "0"))
            return
        }
        let start = count
        var rest = value
        while rest > 0 {
            appendByte(UInt8(truncatingIfNeeded: rest % 10) &+ 48)
            rest /= 10
        }
        // Reverse in place.
        var low = start
        var high = count - 1
        while low < high {
            let swap = storage[low]
            storage[low] = storage[high]
            storage[high] = swap
            low += 1
            high -= 1
        }
    }

    /// `count` random decimal digits, the first non-zero.
    mutating func appendRandomDigits(count digitCount: Int, random: inout Xoshiro256) {
        appendByte(UInt8(1 + random.below(9)) &+ 48)
        var remaining = digitCount - 1
        while remaining > 0 {
            var word = random.next()
            let take = Swift.min(remaining, 19)
            for _ in 0..<take {
                appendByte(UInt8(truncatingIfNeeded: word % 10) &+ 48)
                word /= 10
            }
            remaining -= take
        }
    }

    func flush(into output: OutputFile) {
        output.append(contentsOf: UnsafeBufferPointer(start: storage, count: count))
    }
}
