import ArgumentParser
import Foundation
import Spoor

/// `spoor compact STORE [--if-free FRACTION]`
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite a store's data file without its free pages.",
        discussion: """
            LMDB writes copy-on-write: pages an ingest replaced go on a free list for reuse, and the data file never \
            shrinks. This writes a compacted copy beside data.mdb, flushes it to disk and renames it over data.mdb, \
            so a kill at any point leaves a complete store (the old or the new file). The store must not be open \
            in any other process; stores opened meanwhile wait for it. Needs free disk space for the copy. \
            `spoor ingest` compacts by itself when free pages pass 20% of the file and 8 MiB (--no-compact turns that off).
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("if-free"), help: "Compact only when free pages are at least this share of the file (0 … 1).")
    var minimumFreeFraction = 0.0

    func validate() throws {
        guard (0...1).contains(minimumFreeFraction) else {
            throw ValidationError("--if-free must be between 0 and 1, found \(minimumFreeFraction)")
        }
    }

    func run() async throws {
        let result = try Store.compact(at: storeOptions.store, minimumFreeFraction: minimumFreeFraction)
        Terminal.note(Self.describe(result))
    }

    /// One line: what was freed, or why nothing was done.
    static func describe(_ result: CompactionResult) -> String {
        let percent = String(format: "%.1f%%", result.freeFraction * 100)
        guard result.performed else {
            return "not compacted: \(result.freePagesBefore) free pages, \(percent) of \(bytes(result.bytesBefore))"
        }
        return "compacted: \(bytes(result.bytesBefore)) → \(bytes(result.bytesAfter)), saved "
            + "\(bytes(result.bytesSaved)) (\(result.freePagesBefore) free pages, \(percent) of the file)"
    }

    static func bytes(_ count: Int) -> String {
        count >= 1 << 20 ? String(format: "%.1f MiB", Double(count) / 1_048_576) : "\(count) bytes"
    }
}
