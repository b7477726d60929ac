import ArgumentParser
import Spoor

/// `spoor verify STORE`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a whole store; exit 0 when it is sound, 1 when not.",
        discussion: """
            Checks that every adjacency chunk decodes, chunk sequences are contiguous with only the last one \
            open, every out-edge has its in-edge at the other end, the address and transaction indexes agree with \
            their tables, transaction records agree with the adjacency, and the tag index agrees with the tags. \
            Prints what was checked and every problem (at most 100) on stdout.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let report = try graph.verify()
        var out = StandardOutput()
        print("checked \(report.addressesChecked) addresses, \(report.chunksChecked) chunks, "
            + "\(report.incidencesChecked) incidences, \(report.tagsChecked) tags", to: &out)
        for problem in report.problems {
            print("problem: \(problem)", to: &out)
        }
        if report.isSound {
            print("sound", to: &out)
        } else {
            print("\(report.problems.count) problems", to: &out)
            StandardOutput.flush()
            Terminal.error("store '\(storeOptions.store)' is not sound")
            throw ExitCode(1)
        }
    }
}
