import ArgumentParser
import Foundation
import Spoor

/// `spoor generate transfers --count N --seed S [--plant FILE] [--plant-count K] --out FILE`
struct GenerateTransfersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers",
        abstract: "Write a transfers-csv file shaped like an account chain's transfer log.",
        discussion: """
            The same options give a byte-identical file. Degrees are power-law (a few exchange-like hubs), values \
            wei-like with some above 2^127, about 30% token transfers. With --plant, the first --plant-count \
            0x addresses of FILE (a watchlist, e.g. an OFAC ETH list) each send --plant-transfers native \
            transfers to ordinary addresses, spread through the file. With --plant-typologies N, N cases of each \
            typology (peel chain, fan-out, fan-in, pass-through, round trip) are planted on addresses of their \
            own; --manifest FILE writes their JSON manifest (kind, subject, addresses, transfers, block, hops). \
            A summary goes to stderr.
            """
    )

    @Option(help: "Number of transfers to write.")
    var count: Int

    @Option(help: "The random seed.")
    var seed: UInt64

    @Option(help: ArgumentHelp("A watchlist whose addresses are planted as senders.", valueName: "file"))
    var plant: String?

    @Option(help: "How many addresses of the --plant file to plant.")
    var plantCount = 5

    @Option(help: "How many transfers each planted address sends.")
    var plantTransfers = 10

    @Option(help: "How many cases of each typology to plant (0: none; the file is then unchanged).")
    var plantTypologies = 0

    @Option(help: ArgumentHelp("Write the planted typology cases as JSON to this file.", valueName: "file"))
    var manifest: String?

    @Option(help: "Number of ordinary addresses (default: count / 8, at least 1000).")
    var addresses: Int?

    @Option(help: ArgumentHelp("The transfers-csv file to write.", valueName: "file"))
    var out: String

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be at least 0, found \(count)") }
        guard plantCount >= 0 else { throw ValidationError("--plant-count must be at least 0, found \(plantCount)") }
        guard plantTransfers >= 0 else {
            throw ValidationError("--plant-transfers must be at least 0, found \(plantTransfers)")
        }
        guard plantTypologies >= 0 else {
            throw ValidationError("--plant-typologies must be at least 0, found \(plantTypologies)")
        }
        if let addresses, addresses < 2 { throw ValidationError("--addresses must be at least 2, found \(addresses)") }
    }

    func run() async throws {
        var options = TransfersGenerator.Options(seed: seed, transferCount: count, addressCount: addresses)
        options.transfersPerSanctioned = plantTransfers
        options.plantTypologies = plantTypologies
        if let plant {
            let watchlist = try TagFileReader.read(path: plant, tag: "plant")
            let hex = watchlist.entries.map(\.address).filter { $0.hasPrefix("0x") && $0.utf8.count == 42 }
            guard !hex.isEmpty || plantCount == 0 else {
                throw CLIError("\(plant): no 0x addresses to plant")
            }
            options.sanctioned = Array(hex.prefix(plantCount))
        }
        let summary = try TransfersGenerator(options: options).write(to: out)
        if let manifest {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try encoder.encode(summary.typologies).write(to: URL(fileURLWithPath: manifest))
            } catch {
                throw CLIError("cannot write the manifest '\(manifest)': \(error.localizedDescription)")
            }
        }
        Terminal.note(summary.description)
    }
}
