import ArgumentParser

/// `spoor generate transfers ...`, `spoor generate bitcoin ...`
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic, deterministic test data.",
        subcommands: [GenerateTransfersCommand.self, GenerateBitcoinCommand.self]
    )
}
