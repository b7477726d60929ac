import Foundation
import SpoorStore

/// Why a scan refuses its checkpoint file.
public enum ScanCheckpointError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The checkpoint was written by another checkpoint format version.
    case formatVersion(path: String, found: String, expected: Int)

    public var description: String {
        switch self {
        case .formatVersion(let path, let found, let expected):
            return
                "checkpoint \(path) is in scan checkpoint format \(found), this spoor reads format \(expected) only: "
                + "delete it to start the scan over"
        }
    }
}

/// The binary form of a scan checkpoint: a magic line with the format version, the header as JSON (a checkpoint is
/// used only when its header equals the run's), then each pass: its position, the states and figures of the
/// addresses that have any (index, then amounts as a limb count and that many little-endian 64-bit limbs).
/// Anything else that does not decode means "no checkpoint": the scan starts over.
///
/// Format 2 (flat per-address arrays, sparse records) replaced format 1 (dictionaries, every state in full).
enum ScanCheckpointCodec {
    static let version = 2
    static let prefix = Array("spoor-scan-checkpoint ".utf8)
    static let magic = Array("spoor-scan-checkpoint \(version)\n".utf8)

    struct Writer {
        var bytes: [UInt8] = []
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func int(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }
        mutating func wide(_ value: WideAmount) {
            let limbs = value.limbs
            let count = limbs.lastIndex { $0 != 0 }.map { $0 + 1 } ?? 0
            bytes.append(UInt8(count))
            for limb in limbs.prefix(count) { u64(limb) }
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0
        struct Truncated: Error {}
        mutating func u64() throws -> UInt64 {
            guard offset + 8 <= bytes.count else { throw Truncated() }
            var value: UInt64 = 0
            for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
            offset += 8
            return value
        }
        mutating func u32() throws -> UInt32 {
            guard offset + 4 <= bytes.count else { throw Truncated() }
            var value: UInt32 = 0
            for index in (0..<4).reversed() { value = value << 8 | UInt32(bytes[offset + index]) }
            offset += 4
            return value
        }
        mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
        mutating func wide() throws -> WideAmount {
            guard offset < bytes.count else { throw Truncated() }
            let count = Int(bytes[offset])
            offset += 1
            guard count <= 6 else { throw Truncated() }
            var limbs = [UInt64](repeating: 0, count: 6)
            for index in 0..<count { limbs[index] = try u64() }
            guard let value = WideAmount(limbs: limbs) else { throw Truncated() }
            return value
        }
        mutating func count() throws -> Int {
            let value = try int()
            guard value >= 0, value <= bytes.count else { throw Truncated() }
            return value
        }
        mutating func index(below limit: Int) throws -> Int {
            let value = Int(try u32())
            guard value < limit else { throw Truncated() }
            return value
        }
    }

    static func encode(header: ScanHeader, state: ExposureReplay.State) throws -> Data {
        var writer = Writer()
        writer.bytes.append(contentsOf: magic)
        let headerBytes = Array(try JSONEncoder().encode(header))
        writer.int(headerBytes.count)
        writer.bytes.append(contentsOf: headerBytes)
        for pass in [state.forward, state.backward] { encode(pass, &writer) }
        return Data(writer.bytes)
    }

    static func encode(_ pass: ExposureReplay.Pass, _ writer: inout Writer) {
        writer.int(pass.position)
        let accounts = pass.accounts.indices.filter { pass.accounts[$0] != PlainAccount() }
        writer.int(accounts.count)
        for index in accounts {
            let account = pass.accounts[index]
            writer.u32(UInt32(index))
            writer.wide(account.balance)
            writer.wide(account.taint)
            writer.int(account.hop)
        }
        let queues = pass.queues.indices.filter {
            !pass.queues[$0].balance.isZero || !pass.queues[$0].taint.isZero || pass.queues[$0].hop != .max
                || !pass.queues[$0].queue.isEmpty
        }
        writer.int(queues.count)
        for index in queues {
            let account = pass.queues[index]
            writer.u32(UInt32(index))
            writer.wide(account.balance)
            writer.wide(account.taint)
            writer.int(account.hop)
            let segments = account.queue.contents
            writer.int(segments.count)
            for segment in segments {
                writer.wide(segment.length)
                writer.int(segment.isTainted ? 1 : 0)
                writer.int(segment.hop)
            }
        }
        let forward = pass.forward.indices.filter { pass.forward[$0] != ForwardFigures() }
        writer.int(forward.count)
        for index in forward {
            let figures = pass.forward[index]
            writer.u32(UInt32(index))
            writer.wide(figures.indirectIn)
            writer.int(figures.hopIn)
        }
        let backward = pass.backward.indices.filter { pass.backward[$0] != BackwardFigures() }
        writer.int(backward.count)
        for index in backward {
            let figures = pass.backward[index]
            writer.u32(UInt32(index))
            writer.wide(figures.indirectOut)
            writer.int(figures.hopOut)
            for amount in [figures.directIn, figures.directOut, figures.totalIn, figures.totalOut] {
                writer.wide(amount)
            }
        }
    }

    static func decodePass(
        _ reader: inout Reader,
        addressCount: Int,
        policy: TaintPolicy,
        backward: Bool
    ) throws
        -> ExposureReplay.Pass
    {
        var pass = ExposureReplay.Pass()
        pass.position = try reader.count()
        let accounts = try reader.count()
        if accounts > 0 || policy != .fifo { pass.accounts = Array(repeating: PlainAccount(), count: addressCount) }
        for _ in 0..<accounts {
            let index = try reader.index(below: addressCount)
            pass.accounts[index] = PlainAccount(
                balance: try reader.wide(),
                taint: try reader.wide(),
                hop: try reader.int()
            )
        }
        let queues = try reader.count()
        if queues > 0 || policy == .fifo { pass.queues = Array(repeating: AccountTaintState(), count: addressCount) }
        for _ in 0..<queues {
            let index = try reader.index(below: addressCount)
            var account = AccountTaintState()
            account.balance = try reader.wide()
            account.taint = try reader.wide()
            account.hop = try reader.int()
            for _ in 0..<(try reader.count()) {
                let length = try reader.wide()
                let tainted = try reader.int() == 1
                account.queue.append(TaintSegment(length: length, isTainted: tainted, hop: try reader.int()))
            }
            pass.queues[index] = account
        }
        let forward = try reader.count()
        if !backward { pass.forward = Array(repeating: ForwardFigures(), count: addressCount) }
        for _ in 0..<forward {
            guard !backward else { throw Reader.Truncated() }
            let index = try reader.index(below: addressCount)
            pass.forward[index] = ForwardFigures(indirectIn: try reader.wide(), hopIn: try reader.int())
        }
        let backwardCount = try reader.count()
        if backward { pass.backward = Array(repeating: BackwardFigures(), count: addressCount) }
        for _ in 0..<backwardCount {
            guard backward else { throw Reader.Truncated() }
            let index = try reader.index(below: addressCount)
            pass.backward[index] = BackwardFigures(
                indirectOut: try reader.wide(),
                hopOut: try reader.int(),
                directIn: try reader.wide(),
                directOut: try reader.wide(),
                totalIn: try reader.wide(),
                totalOut: try reader.wide()
            )
        }
        return pass
    }

    /// The state saved under `header`, or `nil` when the data is not a checkpoint of this run; throws
    /// ``ScanCheckpointError/formatVersion(path:found:expected:)`` for a checkpoint of another format version.
    static func decode(
        _ data: Data,
        header: ScanHeader,
        addressCount: Int,
        policy: TaintPolicy,
        path: String
    ) throws -> ExposureReplay.State? {
        var reader = Reader(bytes: Array(data))
        guard reader.bytes.starts(with: magic) else {
            if reader.bytes.starts(with: prefix) {
                let line = reader.bytes.dropFirst(prefix.count).prefix { $0 != 0x0A }.prefix(20)
                throw ScanCheckpointError.formatVersion(
                    path: path,
                    found: String(decoding: line, as: UTF8.self),
                    expected: version
                )
            }
            return nil
        }
        do {
            reader.offset = magic.count
            let headerLength = try reader.count()
            guard reader.offset + headerLength <= reader.bytes.count else { return nil }
            let saved = try JSONDecoder().decode(
                ScanHeader.self,
                from: Data(reader.bytes[reader.offset..<(reader.offset + headerLength)])
            )
            guard saved == header else { return nil }
            reader.offset += headerLength
            let forward = try decodePass(&reader, addressCount: addressCount, policy: policy, backward: false)
            let backward = try decodePass(&reader, addressCount: addressCount, policy: policy, backward: true)
            guard reader.offset == reader.bytes.count else { return nil }
            return ExposureReplay.State(forward: forward, backward: backward)
        } catch {
            return nil
        }
    }
}
