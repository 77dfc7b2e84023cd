import ArgumentParser
import Benchmarks
import Logging
import Postgres

/// `kakao-login bench logins`: the flags of ``LoginsBenchmark``; prints its report.
struct BenchLoginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logins",
        abstract: "Measure whole logins through the HTTP API: logins/s, queue-added latency, commits per login, RSS.",
        discussion: """
            Each login: POST /auth/{provider}/start; POST {emulator}/_emulator/codes with the \
            authorize URL's client_id, redirect_uri, scope, code_challenge (S256) and nonce, for a \
            fresh synthetic user; POST /auth/{provider}/login {code, state} with X-Login-Attempt; \
            GET /auth/{provider}/login/{id}?wait=N until it is no longer pending. Figures cover the \
            logins that ended in the --duration seconds after --warmup. Queue-added latency is \
            POST of the code → final answer minus the time the emulator spent on that login's \
            calls (GET /_emulator/elapsed). Commits per login count write transactions (xids \
            assigned, pg_snapshot_xmax of pg_current_snapshot) in the window per login; the \
            database is read through DATABASE_URL (or libpq's PG* variables). Every login comes from its own client address, sent as X-Forwarded-For: \
            let the API trust 127.0.0.1 as a proxy (LOGIN_TRUSTED_PROXIES) for it to count. Build \
            with -c release before measuring.
            """
    )

    @Option(help: "Base URL of the API, http://HOST:PORT.")
    var api: String

    @Option(help: "Base URL of the emulator the API uses for --provider, http://127.0.0.1:PORT.")
    var emulator: String

    @Option(help: "The provider to log in with: kakao or google (its emulator at --emulator).")
    var provider: BenchProvider = .kakao

    @Option(help: "Seconds measured, after the warm-up.")
    var duration: Int = 60

    @Option(help: "Closed loop: this many browsers, each starting a login as soon as its last one ended.")
    var concurrency: Int?

    @Option(help: "Open loop: logins started per second, whatever the answers do.")
    var rate: Double?

    @Option(help: "Open loop: poisson (exponential gaps, default) or uniform (evenly spaced) arrivals.")
    var arrivals: LoginArrivals = .poisson

    @Option(help: "Seconds of load before the measured window; nothing from them is reported.")
    var warmup: Int = 10

    @Option(help: "The wait of each long-poll, seconds (0–30).")
    var wait: Int = 25

    @Option(help: "Seconds a request may go unanswered (a long-poll: beyond its wait) before the run stops with an error.")
    var timeout: Int = 30

    @Option(name: .customLong("api-pid"), help: "The API process, for its resident memory at the end.")
    var apiPID: Int32?

    @Option(name: .customLong("worker-pid"), help: "The worker process, for its resident memory at the end.")
    var workerPID: Int32?

    @Option(name: .customLong("emulator-pid"), help: "The emulator process, for its CPU time per login.")
    var emulatorPID: Int32?

    @Option(name: .customLong("postgres-pid"), help: "The PostgreSQL server's postmaster, for the server's CPU time per login.")
    var postgresPID: Int32?

    @Flag(help: "End the output with one JSON object of the figures.")
    var json = false

    @OptionGroup var eventLoops: EventLoopOptions

    /// The flags as the benchmark takes them, checked.
    private var benchmark: LoginsBenchmark.Configuration {
        get throws(BenchInputError) {
            let configuration = LoginsBenchmark.Configuration(
                load: try LoginLoadShape(concurrency: concurrency, rate: rate, arrivals: arrivals),
                provider: provider,
                duration: duration,
                warmup: warmup,
                wait: wait,
                timeout: timeout,
                apiPID: apiPID,
                workerPID: workerPID,
                emulatorPID: emulatorPID,
                postgresPID: postgresPID
            )
            try configuration.validate()
            return configuration
        }
    }

    func validate() throws {
        try BenchArguments.usage { () throws(BenchInputError) in _ = try benchmark }
    }

    func run() async throws {
        eventLoops.apply()
        try await CommandErrors.reporting("bench logins") {
            let apiEndpoint = try BenchEndpoint(api, flag: "--api")
            let emulatorEndpoint = try BenchEndpoint(emulator, flag: "--emulator", loopbackOnly: true)
            let logger = LoggingBootstrap.logger("kakao-login.bench.logins", level: .warning, format: .text)
            let report = try await LoginsBenchmark(
                api: apiEndpoint,
                emulator: emulatorEndpoint,
                database: try PostgresConfiguration.fromEnvironment(),
                configuration: try benchmark,
                logger: logger
            ).run()
            print(report.text)
            if json { print(report.json) }
        }
    }
}
