import ArgumentParser

/// `spoor tags import|list`
struct TagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Import watchlists and labels, and list the tags of a store.",
        subcommands: [TagsImportCommand.self, TagsListCommand.self]
    )
}
