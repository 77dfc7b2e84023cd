import ArgumentParser

/// `kakao-login bench …`: load generators and reports (run them from a release build).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load generators and reports; build with -c release before measuring.",
        subcommands: [BenchDBCommand.self, BenchEmulatorCommand.self, BenchLoginsCommand.self, BenchQueueCommand.self]
    )
}
