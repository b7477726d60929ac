import Foundation

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

        /// Records a rejection; `entry` (1-based) is named in the reason when the line is only approximate.
        mutating func reject(_ line: Int, entry: Int? = nil, _ reason: String) {
            let reason = entry.map { "entry \($0): \(reason)" } ?? reason
            rejections.append(RowRejection(file: file, line: line, reason: reason))
        }

        mutating func add(
            line: Int, entry: Int? = nil, address: String, tag: String?, source: String?, confidence: Double?,
            name: String?
        ) {
            let canonical: String
            switch TagEntry.canonicalAddress(address) {
            case .success(let text): canonical = text
            case .failure(let error): return reject(line, entry: entry, error.description)
            }
            guard let tag, !tag.isEmpty else {
                return reject(line, entry: entry, "no tag for \(canonical): the file gives none and no default tag was given")
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
        let text = JSONText(buffer)
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: Data(buffer: buffer))
        } catch {
            throw text.syntaxError(error, file: collector.file)
        }
        guard let elements = document as? [Any] else {
            throw .malformed(
                file: collector.file, line: text.line(at: text.firstValueOffset),
                reason: "expected a JSON array of address strings or of objects with an \"address\" member")
        }
        var format = TagFileFormat.jsonStrings
        if elements.first is [String: Any] { format = .jsonObjects }
        var locator = text.locator()
        for (index, element) in elements.enumerated() {
            // Where the entry's line cannot be found, the line of the previous entry found, and the entry's number.
            let entry = index + 1
            switch element {
            case let address as String:
                let line = locator.line(ofString: address)
                collector.add(
                    line: line ?? locator.line, entry: line == nil ? entry : nil, address: address, tag: tag,
                    source: source, confidence: confidence, name: nil)
            case let members as [String: Any]:
                guard let address = members["address"] as? String else {
                    collector.reject(locator.line, entry: entry, "expected an object with a string \"address\" member")
                    continue
                }
                let line = locator.line(ofString: address)
                let name = ["nameTag", "name", "label", "comment"].lazy.compactMap { members[$0] as? String }
                    .first { !$0.isEmpty }
                collector.add(
                    line: line ?? locator.line, entry: line == nil ? entry : nil, address: address, tag: tag ?? name,
                    source: source, confidence: confidence, name: name)
            default:
                collector.reject(
                    locator.line, entry: entry, "expected an address string or an object with an \"address\" member")
            }
        }
        return format
    }
}

/// Line numbers for a JSON tag file parsed by `JSONSerialization`, which reports neither lines nor where each
/// value starts.
private struct JSONText {
    let bytes: UnsafeBufferPointer<UInt8>
    /// 3 when the file starts with a UTF-8 byte order mark (Foundation's offsets count from after it).
    let start: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        start = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// The 1-based line of byte `offset`.
    func line(at offset: Int) -> Int {
        1 + bytes[..<Swift.min(offset, bytes.count)].count(where: { $0 == UInt8(ascii: "\n") })
    }

    /// The offset of the first byte that is not whitespace (the document's first value).
    var firstValueOffset: Int {
        bytes[start...].firstIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? bytes.count
    }

    /// A `malformed` error for a `JSONSerialization` failure, with Foundation's description. On Linux that gives
    /// the position as a byte offset (`around character N`, counted after any byte order mark), which becomes the
    /// line, the column and the text found there; a description that gives `line N` instead names that line; one
    /// with no position (`Unexpected end of file`) names the last line that is not blank.
    func syntaxError(_ error: any Error, file: String) -> IngestError {
        let detail = ((error as NSError).userInfo["NSDebugDescription"] as? String) ?? "\(error)"
        let message = detail.hasSuffix(".") ? String(detail.dropLast()) : detail
        func number(after word: String) -> Int? {
            guard let range = message.range(of: word) else { return nil }
            return Int(message[range.upperBound...].prefix { $0.isASCII && $0.isNumber })
        }
        if let character = number(after: "character "), character + start < bytes.count {
            let offset = character + start
            let lineStart = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            var end = offset
            while end < bytes.count && end - offset < 20 && bytes[end] != UInt8(ascii: "\n") && bytes[end] != 0x0D {
                end += 1
            }
            let found = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
            return .malformed(
                file: file, line: line(at: offset),
                reason: "invalid JSON at column \(offset - lineStart + 1): \(message), found '\(found)'")
        }
        let last = bytes.lastIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? 0
        return .malformed(file: file, line: number(after: "line ") ?? line(at: last), reason: "invalid JSON: \(message)")
    }

    func locator() -> Locator { Locator(text: self, position: firstValueOffset) }

    /// Finds the line of each array entry by searching the raw bytes for its quoted text, moving forward from
    /// the previous match so that duplicates map to successive lines.
    struct Locator {
        let text: JSONText
        /// Where the next search starts (just after the previous match).
        private var position: Int
        /// The line of `position`: the previous match's, or the document's first line before any match.
        private(set) var line: Int

        init(text: JSONText, position: Int) {
            self.text = text
            self.position = position
            line = text.line(at: position)
        }

        /// The line of the next occurrence of the string `value`, quoted; `nil` when there is none (a
        /// non-string entry, or a string written with escapes).
        mutating func line(ofString value: String) -> Int? {
            let needle = Array(("\"" + value + "\"").utf8)
            guard let range = text.bytes[position...].firstRange(of: needle) else { return nil }
            // A JSON string holds no raw line break, so the match lies on one line.
            line += text.bytes[position..<range.lowerBound].count { $0 == UInt8(ascii: "\n") }
            position = range.upperBound
            return line
        }
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
