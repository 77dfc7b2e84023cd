import ArgumentParser
import Foundation
import Histogram
import Logging
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Postgres

/// `kakao-login bench logins`: drives a running API and emulator like many browsers (start an
/// attempt, mint a code for it, POST it, long-poll the result) and reports logins/s, failures,
/// the latency the queue adds, write transactions per login, and the API's and worker's memory.
struct BenchLoginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logins",
        abstract: "Measure whole logins through the HTTP API: logins/s, queue-added latency, commits per login, RSS.",
        discussion: """
            Each login: POST /auth/kakao/start; POST {emulator}/_emulator/codes with the authorize \
            URL's client_id, redirect_uri, code_challenge (S256) and nonce, scope openid, for a \
            fresh synthetic user; POST /auth/kakao/login {code, state} with X-Login-Attempt; \
            GET /auth/kakao/login/{id}?wait=N until it is no longer pending. Figures cover the \
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

    @Option(help: "Base URL of the emulator the API uses, http://127.0.0.1:PORT.")
    var emulator: String

    @Option(help: "Seconds measured, after the warm-up.")
    var duration: Int = 60

    @Option(help: "Closed loop: this many browsers, each starting a login as soon as its last one ended.")
    var concurrency: Int?

    @Option(help: "Open loop: logins started per second, whatever the answers do.")
    var rate: Double?

    @Option(help: "Open loop: poisson (exponential gaps, default) or uniform (evenly spaced) arrivals.")
    var arrivals: LoginLoad.Arrivals = .poisson

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

    func validate() throws {
        guard (concurrency == nil) != (rate == nil) else { throw ValidationError("give either --concurrency N or --rate N") }
        if let concurrency, !(1...10_000).contains(concurrency) { throw ValidationError("--concurrency must be 1…10000") }
        if let rate, !(rate > 0 && rate <= 100_000) { throw ValidationError("--rate must be above 0 (logins per second)") }
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be positive and --warmup not negative") }
        guard (0...30).contains(wait) else { throw ValidationError("--wait must be 0…30") }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be 1…3600") }
    }

    func run() async throws {
        eventLoops.apply()
        try await CommandErrors.reporting("bench logins") {
            let apiEndpoint = try BenchEndpoint(api, flag: "--api")
            let emulatorEndpoint = try BenchEndpoint(emulator, flag: "--emulator", loopbackOnly: true)
            let logger = LoggingBootstrap.logger("kakao-login.bench.logins", level: .warning, format: .text)
            let database = try PostgresConfiguration.fromEnvironment()
            let group = MultiThreadedEventLoopGroup.singleton
            let control = try await HTTPConnection.open(
                host: emulatorEndpoint.host,
                port: emulatorEndpoint.port,
                timeout: .seconds(Int64(timeout)),
                on: group.next()
            )
            let emulatorControl = EmulatorControl(connection: control, endpoint: emulatorEndpoint)

            try await PostgresConnection.withConnection(configuration: database, logger: logger) { connection in
                let settings = try await ServerSettings.read(on: connection)
                let statsBefore = try await emulatorControl.stats()
                let load = LoginLoad(
                    shape: concurrency.map { .closed(browsers: $0) } ?? .open(perSecond: rate ?? 1, arrivals: arrivals),
                    api: apiEndpoint,
                    emulator: emulatorEndpoint,
                    waitSeconds: wait,
                    timeout: .seconds(Int64(timeout)),
                    group: group
                )
                progress("\(shapeDescription): warming up \(warmup) s, then measuring \(duration) s")

                let windowStart = NIODeadline.now() + .seconds(Int64(warmup))
                let windowEnd = windowStart + .seconds(Int64(duration))
                async let window = Self.readWindow(from: windowStart, to: windowEnd, on: connection, processes: processes)
                let samples = try await load.run(until: windowEnd)
                let edges = try await window
                progress("measured; reading the emulator's time per login")

                let measured = samples.filter { $0.endedAt >= windowStart && $0.endedAt < windowEnd }
                let elapsed = try await emulatorControl.elapsed(userIDs: measured.filter(\.succeeded).compactMap(\.userID))
                let statsAfter = try await emulatorControl.stats()
                let report = LoginsReport(
                    measured: measured,
                    startsInWindow: samples.count { $0.startedAt.map { $0 >= windowStart && $0 < windowEnd } ?? false },
                    seconds: Double(duration),
                    emulatorElapsed: elapsed,
                    writeTransactions: edges.xmaxAfter - edges.xmaxBefore,
                    statsBefore: statsBefore,
                    statsAfter: statsAfter,
                    api: apiPID.flatMap(ProcessMemory.init(pid:)),
                    worker: workerPID.flatMap(ProcessMemory.init(pid:)),
                    cpuSeconds: edges.cpuSeconds,
                    settings: settings,
                    loadAverages: (edges.loadBefore, MachineFacts.loadAverage)
                )
                report.print(header: shapeDescription + ", warm-up \(warmup) s, measured \(duration) s")
                if json { Swift.print(report.json(shape: shapeJSON, duration: duration, warmup: warmup)) }
            }
            await control.close()
        }
    }

    private var shapeDescription: String {
        if let concurrency { return "closed loop, \(concurrency) browsers" }
        return "open loop, \(BenchText.fixed(rate ?? 0, 1)) logins/s (\(arrivals.rawValue) arrivals)"
    }

    private var shapeJSON: String {
        if let concurrency { return #""mode":"closed","concurrency":\#(concurrency)"# }
        return #""mode":"open","rate":\#(rate ?? 0),"arrivals":"\#(arrivals.rawValue)""#
    }

    private func progress(_ message: String) {
        BenchText.progress("logins", message)
    }

    /// The processes whose CPU time is measured, by name; the server's as a whole tree.
    private var processes: [(name: String, pid: Int32, tree: Bool)] {
        [
            postgresPID.map { ("postgres", $0, true) }, apiPID.map { ("api", $0, false) }, workerPID.map { ("worker", $0, false) },
            emulatorPID.map { ("emulator", $0, false) }, ("bench", ProcessInfo.processInfo.processIdentifier, false),
        ].compactMap { $0 }
    }

    /// What is read at the window's two edges: the next transaction id, the load average, and
    /// the CPU time each process used in between.
    private struct WindowEdges {
        var xmaxBefore: Int64
        var xmaxAfter: Int64
        var loadBefore: Double?
        var cpuSeconds: [(name: String, seconds: Double)]
    }

    private static func readWindow(
        from start: NIODeadline,
        to end: NIODeadline,
        on connection: PostgresConnection,
        processes: [(name: String, pid: Int32, tree: Bool)]
    ) async throws -> WindowEdges {
        func cpu() -> [Double?] { processes.map { ProcessCPU.seconds(pid: $0.pid, tree: $0.tree) } }
        try await sleep(until: start)
        let before = try await nextTransactionID(connection)
        let load = MachineFacts.loadAverage
        let cpuBefore = cpu()
        try await sleep(until: end)
        let cpuAfter = cpu()
        let used = processes.indices.compactMap { index -> (String, Double)? in
            guard let before = cpuBefore[index], let after = cpuAfter[index] else { return nil }
            return (processes[index].name, after - before)
        }
        return WindowEdges(
            xmaxBefore: before,
            xmaxAfter: try await nextTransactionID(connection),
            loadBefore: load,
            cpuSeconds: used
        )
    }

    /// The first transaction id not yet assigned: the difference between two readings is the
    /// number of write transactions (committed or not) the whole server started in between.
    /// Reading it assigns none.
    private static func nextTransactionID(_ connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax").single()
            .decode(Int64.self, "xmax")
    }

    private static func sleep(until deadline: NIODeadline) async throws {
        let wait = deadline - .now()
        if wait > .zero { try await Task.sleep(for: .nanoseconds(wait.nanoseconds)) }
    }
}
