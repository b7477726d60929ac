import Foundation
import SpoorStore

/// The binary form of a scan checkpoint (JSON took half the scan time): a magic line, the header as JSON (a
/// checkpoint is used only when its header equals the run's), then the phase, the position, every address state
/// and every entry, little-endian. Anything that does not decode means "no checkpoint": the scan starts over.
enum ScanCheckpointCodec {
    static let magic = Array("spoor-scan-checkpoint 1\n".utf8)

    struct Writer {
        var bytes: [UInt8] = []
        mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func int(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }
        mutating func wide(_ value: WideAmount) { for limb in value.limbs { u64(limb) } }
        mutating func hop(_ value: Int?) { int(value ?? -1) }
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
        mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
        mutating func wide() throws -> WideAmount {
            var limbs: [UInt64] = []
            for _ in 0..<6 { limbs.append(try u64()) }
            guard let value = WideAmount(limbs: limbs) else { throw Truncated() }
            return value
        }
        mutating func hop() throws -> Int? {
            let value = try int()
            return value < 0 ? nil : value
        }
        mutating func count() throws -> Int {
            let value = try int()
            guard value >= 0, value <= bytes.count else { throw Truncated() }
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
        writer.int(pass.states.count)
        for (address, account) in pass.states.sorted(by: { $0.key < $1.key }) {
            writer.u64(address)
            writer.wide(account.balance)
            writer.wide(account.taint)
            writer.int(account.hop)
            let segments = Array(account.queue.contents)
            writer.int(segments.count)
            for segment in segments {
                writer.wide(segment.length)
                writer.int(segment.isTainted ? 1 : 0)
                writer.int(segment.hop)
            }
        }
        writer.int(pass.entries.count)
        for (address, entry) in pass.entries.sorted(by: { $0.key < $1.key }) {
            writer.u64(address)
            for amount in [
                entry.directIn, entry.directOut, entry.indirectIn, entry.indirectOut, entry.totalIn, entry.totalOut,
            ] {
                writer.wide(amount)
            }
            writer.hop(entry.hopIn)
            writer.hop(entry.hopOut)
        }
    }

    static func decodePass(_ reader: inout Reader) throws -> ExposureReplay.Pass {
        var pass = ExposureReplay.Pass()
        pass.position = try reader.count()
        for _ in 0..<(try reader.count()) {
            let address = try reader.u64()
            var account = AccountTaintState()
            account.balance = try reader.wide()
            account.taint = try reader.wide()
            account.hop = try reader.int()
            for _ in 0..<(try reader.count()) {
                let length = try reader.wide()
                let tainted = try reader.int() == 1
                account.queue.append(TaintSegment(length: length, isTainted: tainted, hop: try reader.int()))
            }
            pass.states[address] = account
        }
        for _ in 0..<(try reader.count()) {
            let address = try reader.u64()
            var entry = ScanEntry()
            entry.directIn = try reader.wide()
            entry.directOut = try reader.wide()
            entry.indirectIn = try reader.wide()
            entry.indirectOut = try reader.wide()
            entry.totalIn = try reader.wide()
            entry.totalOut = try reader.wide()
            entry.hopIn = try reader.hop()
            entry.hopOut = try reader.hop()
            pass.entries[address] = entry
        }
        return pass
    }

    /// The state saved under `header`, or `nil` when the data is not a checkpoint of this run.
    static func decode(_ data: Data, header: ScanHeader) -> ExposureReplay.State? {
        var reader = Reader(bytes: Array(data))
        do {
            guard reader.bytes.starts(with: magic) else { return nil }
            reader.offset = magic.count
            let headerLength = try reader.count()
            guard reader.offset + headerLength <= reader.bytes.count else { return nil }
            let saved = try JSONDecoder().decode(
                ScanHeader.self,
                from: Data(reader.bytes[reader.offset..<(reader.offset + headerLength)])
            )
            guard saved == header else { return nil }
            reader.offset += headerLength
            let forward = try decodePass(&reader)
            let backward = try decodePass(&reader)
            guard reader.offset == reader.bytes.count else { return nil }
            return ExposureReplay.State(forward: forward, backward: backward)
        } catch {
            return nil
        }
    }
}
