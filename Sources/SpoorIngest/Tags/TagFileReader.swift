/// One tag on one address, from a watchlist or label file.
public struct TagEntry: Sendable, Hashable {
    /// The address, canonical: `0x`-hex lowercased, bech32 lowercased, Base58 and other forms kept as they are.
    public var address: String
    /// The tag (a watchlist name such as `ofac`, or a label such as `exchange`).
    public var tag: String
    /// Where the tag comes from (e.g. `OFAC SDN 2024-09-27`), when known.
    public var source: String?
    /// How sure the source is, in 0...1, when given.
    public var confidence: Double?
    /// A human-readable name from the file (Etherscan `nameTag`, a `name`/`label`/`comment` member), when present.
    public var name: String?

    /// Creates an entry; `address` should be canonical (see ``canonicalAddress(_:)``).
    public init(address: String, tag: String, source: String? = nil, confidence: Double? = nil, name: String? = nil) {
        self.address = address
        self.tag = tag
        self.source = source
        self.confidence = confidence
        self.name = name
    }

    private static let bech32Prefixes = ["bc1", "tb1", "bcrt1", "ltc1", "tltc1"]

    /// The canonical form of an address, or why it is not one.
    ///
    /// `0x` + 40 hex digits (any case) → lowercase; bech32 (`bc1…`, `tb1…`, `ltc1…`) → lowercase (mixed case is
    /// invalid bech32); anything else made of 20–120 ASCII letters, digits and `:` (Base58, CashAddr, Tron, Monero)
    /// is kept as it is. Surrounding whitespace is ignored.
    public static func canonicalAddress(_ text: some StringProtocol) -> Result<String, TagAddressError> {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return .failure(TagAddressError("empty address")) }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("0x") {
            guard let canonical = TransferRow.canonicalAddress(trimmed) else {
                return .failure(TagAddressError("bad address '\(trimmed)': expected 0x and 40 hex digits"))
            }
            return .success(canonical)
        }
        let isPlain = trimmed.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: ":")
        }
        guard isPlain, (20...120).contains(trimmed.utf8.count) else {
            return .failure(
                TagAddressError(
                    "bad address '\(trimmed)': expected 0x-hex, bech32 or Base58 (20-120 letters and digits)"))
        }
        if bech32Prefixes.contains(where: { lower.hasPrefix($0) }) {
            guard trimmed == lower || trimmed == trimmed.uppercased() else {
                return .failure(TagAddressError("bad address '\(trimmed)': mixed-case bech32"))
            }
            return .success(lower)
        }
        return .success(String(trimmed))
    }
}

/// Why a text is not an address.
public struct TagAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reason.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The layouts ``TagFileReader`` recognises.
public enum TagFileFormat: String, Sendable, Hashable, CaseIterable {
    /// One address per line; `#` starts a comment; blank lines are skipped. Tag, source and confidence come from
    /// the caller.
    case addressList = "address-list"
    /// CSV with a header naming `address` and optionally `tag`, `source`, `confidence` (non-empty cells override
    /// the caller's values).
    case csv
    /// A JSON array of address strings (the OFAC lists).
    case jsonStrings = "json-strings"
    /// A JSON array of objects with `address` and optionally `nameTag`, `name`, `label` or `comment` (eth-labels,
    /// the MyEtherWallet darklist).
    case jsonObjects = "json-objects"
}

/// What a tag file holds.
public struct TagFile: Sendable, Hashable {
    /// The path as given.
    public var file: String
    /// The detected layout.
    public var format: TagFileFormat
    /// The entries, in file order, without duplicates.
    public var entries: [TagEntry]
    /// Lines that could not be read, with the reason.
    public var rejections: [RowRejection]
    /// Entries dropped because the same (address, tag) came earlier in the file (the first one is kept).
    public var duplicateCount: Int
}

/// Reads watchlists and label files, detecting their layout (see ``TagFileFormat``).
///
/// ```swift
/// let ofac = try TagFileReader.read(path: "sanctioned_addresses_ETH.txt", tag: "ofac", source: "OFAC SDN")
/// ```
public enum TagFileReader {
    /// Reads the file at `path`.
    ///
    /// - Parameters:
    ///   - tag: the tag for entries whose file gives none (required for address lists and JSON strings).
    ///   - source: the source for entries whose file gives none.
    ///   - confidence: the confidence for entries whose file gives none, in 0...1.
    /// - Throws: ``IngestError/unreadable(file:reason:)``, ``IngestError/malformed(file:line:reason:)`` for a JSON
    ///   syntax error or a JSON document that is not an array, ``IngestError/invalidArgument(_:)`` for a
    ///   confidence outside 0...1.
    public static func read(
        path: String, tag: String?, source: String? = nil, confidence: Double? = nil
    ) throws(IngestError) -> TagFile {
        try parse(bytes: MappedBytes(path: path), file: path, tag: tag, source: source, confidence: confidence)
    }

    /// Reads in-memory text; `file` names it in messages.
    public static func parse(
        bytes: some Collection<UInt8>, file: String, tag: String?, source: String? = nil, confidence: Double? = nil
    ) throws(IngestError) -> TagFile {
        try parse(bytes: MappedBytes(copying: bytes), file: file, tag: tag, source: source, confidence: confidence)
    }

    static func parse(
        bytes: MappedBytes, file: String, tag: String?, source: String?, confidence: Double?
    ) throws(IngestError) -> TagFile {
        if let confidence, !(0...1).contains(confidence) {
            throw .invalidArgument("confidence must be in 0...1, found \(confidence)")
        }
        let tag = tag.flatMap { $0.isEmpty ? nil : $0 }
        var collector = Collector(file: file)
        let format: TagFileFormat
        let buffer = UnsafeBufferPointer(start: bytes.base, count: bytes.count)
        let firstByte = buffer.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if firstByte == UInt8(ascii: "[") || firstByte == UInt8(ascii: "{") {
            format = try readJSON(buffer, into: &collector, tag: tag, source: source, confidence: confidence)
        } else if isCSV(buffer) {
            format = .csv
            readCSV(bytes, into: &collector, tag: tag, source: source, confidence: confidence)
        } else {
            format = .addressList
            readAddressList(buffer, into: &collector, tag: tag, source: source, confidence: confidence)
        }
        return TagFile(
            file: file, format: format, entries: collector.entries, rejections: collector.rejections,
            duplicateCount: collector.duplicateCount)
    }

    private struct Collector {
        let file: String
        var entries: [TagEntry] = []
        var rejections: [RowRejection] = []
        var duplicateCount = 0
        private var seen: Set<[String]> = []

        init(file: String) { self.file = file }

        mutating func reject(_ line: Int, _ reason: String) {
            rejections.append(RowRejection(file: file, line: line, reason: reason))
        }

        mutating func add(
            line: Int, address: String, tag: String?, source: String?, confidence: Double?, name: String?
        ) {
            let canonical: String
            switch TagEntry.canonicalAddress(address) {
            case .success(let text): canonical = text
            case .failure(let error): return reject(line, error.description)
            }
            guard let tag, !tag.isEmpty else {
                return reject(line, "no tag for \(canonical): the file gives none and no default tag was given")
            }
            guard seen.insert([canonical, tag]).inserted else {
                duplicateCount += 1
                return
            }
            entries.append(
                TagEntry(
                    address: canonical, tag: tag, source: source, confidence: confidence,
                    name: name.flatMap { $0.isEmpty ? nil : $0 }))
        }
    }

    /// Lines as (1-based number, bytes without the line ending).
    private static func lines(_ buffer: UnsafeBufferPointer<UInt8>) -> [(Int, Slice<UnsafeBufferPointer<UInt8>>)] {
        var result: [(Int, Slice<UnsafeBufferPointer<UInt8>>)] = []
        var start = 0
        if buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
        var number = 1
        while start < buffer.count {
            var end = start
            while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
            var contentEnd = end
            if contentEnd > start && buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            result.append((number, buffer[start..<contentEnd]))
            number += 1
            start = end + 1
        }
        return result
    }

    /// CSV when the first line that is not blank or a comment has a first cell `address` and a comma.
    private static func isCSV(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        for (_, bytes) in lines(buffer) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            guard text.contains(",") else { return false }
            let first = text.split(separator: ",", omittingEmptySubsequences: false)[0]
                .trimmingASCIIWhitespace().replacingQuotes().lowercased()
            return first == "address"
        }
        return false
    }

    private static func readAddressList(
        _ buffer: UnsafeBufferPointer<UInt8>, into collector: inout Collector, tag: String?, source: String?,
        confidence: Double?
    ) {
        for (number, bytes) in lines(buffer) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                collector.reject(number, "non-UTF-8 bytes")
                continue
            }
            var content = Substring(text)
            if let hash = content.firstIndex(of: "#") { content = content[..<hash] }
            let trimmed = content.trimmingASCIIWhitespace()
            if trimmed.isEmpty { continue }
            guard !trimmed.contains(where: { $0 == " " || $0 == "\t" || $0 == "," }) else {
                collector.reject(number, "expected one address per line, found '\(trimmed)'")
                continue
            }
            collector.add(line: number, address: String(trimmed), tag: tag, source: source, confidence: confidence, name: nil)
        }
    }

    private static func readCSV(
        _ bytes: MappedBytes, into collector: inout Collector, tag: String?, source: String?, confidence: Double?
    ) {
        var scanner = CSVScanner(bytes: bytes)
        var columns: [String: Int] = [:]
        var columnCount = 0
        while true {
            switch scanner.next() {
            case .end:
                return
            case .malformed(let line, let reason):
                collector.reject(line, reason)
            case .record(let line):
                if scanner.isBlankRecord { continue }
                let first = scanner.field(0)
                if first.first == UInt8(ascii: "#") { continue }
                let stored = Swift.min(scanner.fieldCount, CSVScanner.maximumStoredFields)
                if columnCount == 0 {
                    // The header.
                    columnCount = scanner.fieldCount
                    for index in 0..<stored {
                        let name = scanner.fieldText(index).trimmingASCIIWhitespace().lowercased()
                        if columns[name] == nil { columns[name] = index }
                    }
                    continue
                }
                guard scanner.fieldCount == columnCount else {
                    collector.reject(line, "wrong column count (expected \(columnCount), found \(scanner.fieldCount))")
                    continue
                }
                var cells: [String: String] = [:]
                var isValid = true
                for (name, index) in columns where ["address", "tag", "source", "confidence", "name"].contains(name) {
                    guard let text = scanner.validatedFieldText(index) else {
                        collector.reject(line, "non-UTF-8 bytes in column '\(name)'")
                        isValid = false
                        break
                    }
                    cells[name] = String(text.trimmingASCIIWhitespace())
                }
                guard isValid else { continue }
                var rowConfidence = confidence
                if let text = cells["confidence"], !text.isEmpty {
                    guard let value = Double(text), (0...1).contains(value) else {
                        collector.reject(line, "confidence must be a number in 0...1, found '\(text)'")
                        continue
                    }
                    rowConfidence = value
                }
                let rowTag = cells["tag"].flatMap { $0.isEmpty ? nil : $0 } ?? tag
                let rowSource = cells["source"].flatMap { $0.isEmpty ? nil : $0 } ?? source
                collector.add(
                    line: line, address: cells["address"] ?? "", tag: rowTag, source: rowSource,
                    confidence: rowConfidence, name: cells["name"])
            }
        }
    }

    private static func readJSON(
        _ buffer: UnsafeBufferPointer<UInt8>, into collector: inout Collector, tag: String?, source: String?,
        confidence: Double?
    ) throws(IngestError) -> TagFileFormat {
        let document: JSONElement
        do {
            document = try JSONLiteParser.parse(buffer)
        } catch {
            throw .malformed(file: collector.file, line: error.line, reason: error.message)
        }
        guard case .array(let elements) = document.value else {
            throw .malformed(
                file: collector.file, line: document.line,
                reason: "expected a JSON array of address strings or of objects with an \"address\" member")
        }
        var format = TagFileFormat.jsonStrings
        if let first = elements.first, case .object = first.value { format = .jsonObjects }
        for element in elements {
            switch element.value {
            case .string(let address):
                collector.add(line: element.line, address: address, tag: tag, source: source, confidence: confidence, name: nil)
            case .object(let members):
                func string(_ key: String) -> String? {
                    for member in members where member.key == key {
                        if case .string(let text) = member.value.value { return text }
                    }
                    return nil
                }
                guard let address = string("address") else {
                    collector.reject(element.line, "expected an object with a string \"address\" member")
                    continue
                }
                let name = ["nameTag", "name", "label", "comment"].lazy.compactMap { string($0) }.first { !$0.isEmpty }
                collector.add(
                    line: element.line, address: address, tag: tag ?? name, source: source, confidence: confidence,
                    name: name)
            default:
                collector.reject(element.line, "expected an address string or an object with an \"address\" member")
            }
        }
        return format
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    fileprivate func replacingQuotes() -> String { String(filter { $0 != "\"" }) }
}
