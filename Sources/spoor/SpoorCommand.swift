// placeholder until the CLI lands
@main struct SpoorCommand { static func main() {} }
