import ArgumentParser
import Benchmarks
import Logging

/// `kakao-login bench emulator`: the flags of ``EmulatorBenchmark``; prints its report. Build with
/// `-c release` before measuring.
struct BenchEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Measure an emulator: code exchanges/s (with and without openid) and profile reads/s (user/me, userinfo)."
    )

    @Option(help: "The emulator: kakao or google.")
    var provider: BenchProvider = .kakao

    @Option(help: "Base URL of a running emulator of --provider (loopback only); default: one started in this process on a free port.")
    var emulator: String?

    @Option(help: "Keep-alive connections of the load generator.")
    var connections = 64

    @Option(help: "Code exchanges without openid to time.")
    var exchanges = 60_000

    @Option(help: "Profile requests (Kakao's user/me, Google's userinfo) to time.")
    var userMe = 120_000

    @Option(help: "Code exchanges with openid (RS256-signed ID token) to time.")
    var openidExchanges = 3_000

    @Option(help: "Load generator for the timed runs: nio (lean, default) or ahc (AsyncHTTPClient, for comparison).")
    var client: EmulatorBenchmark.LoadClient = .nio

    @Flag(help: "End the output with one JSON object of the figures.")
    var json = false

    func run() async throws {
        var logger = Logger(label: "kakao-login.bench")
        logger.logLevel = .warning
        let configuration = EmulatorBenchmark.Configuration(
            provider: provider,
            connections: connections,
            exchanges: exchanges,
            userMe: userMe,
            openidExchanges: openidExchanges,
            client: client
        )
        do {
            let endpoint = try emulator.map { text throws(BenchInputError) in
                try BenchEndpoint(text, flag: "--emulator", loopbackOnly: true)
            }
            let report = try await EmulatorBenchmark(emulator: endpoint, configuration: configuration, logger: logger).run()
            print(report.text)
            if json { print(report.json) }
        } catch let error as BenchInputError {
            throw ValidationError(error.description)
        }
    }
}
