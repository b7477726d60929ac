import Foundation
import SpoorTestSupport
import Testing

/// Small hand-made transfers-csv files for the CLI tests.
enum CLIFixtures {
    static let header = "tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index"
    static let a = "0x00000000000000000000000000000000000000a1"
    static let b = "0x00000000000000000000000000000000000000b2"
    static let c = "0x00000000000000000000000000000000000000c3"
    static let token = "0x0000000000000000000000000000000000007070"

    static func hash(_ n: Int) -> String {
        let digits = String(n, radix: 16)
        return "0x" + String(repeating: "0", count: 64 - digits.count) + digits
    }

    /// Four transfers between three addresses (one token transfer):
    /// A→B 100 and A→C 250 (block 10), B→C 40 (block 11), C→A 7 of token T (block 12).
    static let rows = [
        "\(hash(1)),10,1000,\(a),\(b),100,,0",
        "\(hash(2)),10,1000,\(a),\(c),250,,1",
        "\(hash(3)),11,1012,\(b),\(c),40,,0",
        "\(hash(4)),12,1024,\(c),\(a),7,\(token),0",
    ]

    static var small: String { ([header] + rows).joined(separator: "\n") + "\n" }

    /// `small` plus a bad row on line 6 (a malformed receiver).
    static var withBadRow: String {
        ([header] + rows + ["\(hash(5)),13,1036,\(a),0xnothex,5,,0"]).joined(separator: "\n") + "\n"
    }

    /// Counts of `small` in `spoor stats --format json`.
    static let smallCounts = ["addresses": 3, "transactions": 4, "transfers": 4, "assets": 1]
}

/// The `counts` member of `spoor stats --format json`.
func statsCounts(_ store: String) throws -> [String: Int] {
    let result = try Spoor.run(["stats", store, "--format", "json"])
    #expect(result.status == 0, "\(result)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let counts = object?["counts"] as? [String: Any] ?? [:]
    return counts.compactMapValues { ($0 as? NSNumber)?.intValue }
}

/// The whole `spoor stats --format json` document.
func statsJSON(_ store: String) throws -> [String: Any] {
    let result = try Spoor.run(["stats", store, "--format", "json"])
    #expect(result.status == 0, "\(result)")
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
}
