import ArgumentParser
import Spoor

/// `spoor tags import STORE FILE --tag NAME [--source S] [--confidence C]`
struct TagsImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Tag the addresses of a watchlist or label file.",
        discussion: """
            The layout is detected: one address per line (# comments), CSV with an address column (and optional \
            tag, source, confidence columns that override the options), a JSON array of addresses (OFAC lists), \
            or a JSON array of objects with an address member. Lines that are not addresses are reported on \
            stderr and skipped. Tagging an address again changes nothing.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The watchlist or label file.", valueName: "file"))
    var file: String

    @Option(help: "The tag for entries whose file gives none (e.g. ofac); required unless the file has a tag column.")
    var tag: String?

    @Option(help: "Where the tags come from (e.g. \"OFAC SDN 2024-09-27\").")
    var source: String?

    @Option(help: "How sure the source is, 0...1.")
    var confidence: Double?

    func validate() throws {
        if let tag, tag.isEmpty || tag.contains("\0") { throw ValidationError("--tag must be a non-empty name") }
        if let confidence, !(0...1).contains(confidence) {
            throw ValidationError("--confidence must be in 0...1, found \(confidence)")
        }
    }

    func run() async throws {
        let tagFile = try TagFileReader.read(path: file, tag: tag, source: source, confidence: confidence)
        if tag == nil, tagFile.format == .addressList || tagFile.format == .jsonStrings {
            throw CLIError("\(file): a \(tagFile.format.rawValue) file names no tags; give one with --tag NAME")
        }
        for rejection in tagFile.rejections {
            Terminal.warning(rejection.description)
        }
        let records = tagFile.entries.map { entry in
            TagRecord(address: entry.address, tag: entry.tag, source: entry.source, confidence: entry.confidence)
        }
        let graph = try Graph.open(at: storeOptions.store, mode: .readWrite)
        let added = records.isEmpty ? 0 : try graph.importTags(records)
        var line = "\(file): \(tagFile.format.rawValue), \(records.count) entries, \(added) new tags"
        if tagFile.duplicateCount > 0 { line += ", \(tagFile.duplicateCount) duplicate lines" }
        line += ", \(tagFile.rejections.count) rejected lines"
        Terminal.note(line)
    }
}
