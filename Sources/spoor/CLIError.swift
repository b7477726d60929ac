/// A user error found by the CLI itself (a missing query file, an unknown address): exit code 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
