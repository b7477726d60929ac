import ArgumentParser

/// The store every command works on: a directory holding one Spoor store.
struct StoreOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The store directory.", valueName: "store"))
    var store: String
}
