import ArgumentParser
import Spoor

/// `spoor tags list STORE [ADDRESS]`
struct TagsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List each tag with its number of addresses, or the tags of one address.",
        discussion: """
            Without ADDRESS: one line per tag, 'tag<TAB>addresses'. With ADDRESS: one line per tag of the \
            address, 'tag<TAB>source<TAB>confidence' (empty when unknown). Output is tab-separated, with a \
            header line.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("An address (0x hex in any case, or another chain's form).", valueName: "address"))
    var address: String?

    func run() async throws {
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        var out = StandardOutput()
        if let address {
            let canonical: String
            switch TagEntry.canonicalAddress(address) {
            case .success(let text): canonical = text
            case .failure(let error): throw CLIError(error.description)
            }
            print("tag\tsource\tconfidence", to: &out)
            for record in try graph.tags(of: canonical) {
                let confidence = record.confidence.map { String($0) } ?? ""
                print("\(record.tag)\t\(record.source ?? "")\t\(confidence)", to: &out)
            }
        } else {
            let counts = try graph.read { try $0.tagCounts() }
            print("tag\taddresses", to: &out)
            for entry in counts {
                print("\(entry.tag)\t\(entry.addresses)", to: &out)
            }
        }
    }
}
