import ArgumentParser

/// `kakao-login worker`: a login worker with up to `--concurrency` jobs in flight, and
/// `/metrics`, `/healthz`, `/readyz` on `--metrics-port`. Run as many as you like, on any
/// machines: PostgreSQL is the only coordinator.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a login worker: claim jobs, exchange codes with Kakao, write users.",
        discussion: """
            Needs LOGIN_SEALING_KEYS (the API's), KAKAO_REST_API_KEY (and KAKAO_CLIENT_SECRET when \
            the app has it on). Connects like psql: DATABASE_URL, else libpq's PG* variables. On \
            SIGTERM it stops claiming, lets in-flight jobs finish for LOGIN_WORKER_SHUTDOWN_GRACE_SECONDS, \
            and hands back the jobs whose code was never sent.
            """
    )

    @Option(help: "Most jobs in flight at once.")
    var concurrency: Int = 64

    @Option(name: .customLong("metrics-port"), help: "Port for /metrics, /healthz and /readyz (none when absent; 0: any free port).")
    var metricsPort: Int?

    @Option(name: .customLong("metrics-host"), help: "Address for the metrics port (default 0.0.0.0).")
    var metricsHost: String = "0.0.0.0"

    @OptionGroup var kakao: KakaoURLOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 10000") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be a port number") }
    }

    func run() async throws {
        try await ServerProcess.run("worker", flags: logging.flags.merging(kakao.flags) { $1 }) { settings, logger in
            try WorkerServices.build(
                settings: settings,
                concurrency: concurrency,
                metrics: metricsPort.map { (metricsHost, $0) },
                logger: logger
            )
        }
    }
}
