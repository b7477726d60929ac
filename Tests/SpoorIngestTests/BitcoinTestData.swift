import Foundation
import SpoorIngest

/// Access to ../shared/data/bitcoin for the Bitcoin tests.
enum BitcoinTestData {
    static var directory: String { IngestTestPaths.sharedData + "/bitcoin" }
    static var fixtures: String { IngestTestPaths.fixtures + "/bitcoin" }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The per-block entries of MANIFEST.json (written by the data collector with its own tools).
    static func manifestBlocks() throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/MANIFEST.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return object?["blocks"] as? [[String: Any]] ?? []
    }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The 256 blocks of mainnet_blk_0_to_255.dat, split by a deliberately simple reader (not `BlkFileScanner`).
    static func blkBlocksByHand() throws -> [[UInt8]] {
        let file = try bytes(directory + "/blocks/mainnet_blk_0_to_255.dat")
        var blocks = [[UInt8]]()
        var position = 0
        while position + 8 <= file.count {
            let length =
                Int(file[position + 4]) | Int(file[position + 5]) << 8 | Int(file[position + 6]) << 16
                | Int(file[position + 7]) << 24
            blocks.append(Array(file[(position + 8)..<(position + 8 + length)]))
            position += 8 + length
        }
        return blocks
    }
}
