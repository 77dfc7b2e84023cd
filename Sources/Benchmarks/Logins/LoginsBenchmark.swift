import Foundation
import Logging
import NIOCore
import NIOPosix
import Postgres

/// `kakao-login bench logins`: drives a running API and emulator like many browsers (start an
/// attempt, mint a code for it, POST it, long-poll the result) and reports logins/s, failures,
/// the latency the queue adds, write transactions per login, the API's and worker's memory, and
/// the CPU time of every process given per login. Progress lines go to standard error.
public struct LoginsBenchmark: Sendable {
    /// What to run and what to measure, as the command's flags give it.
    public struct Configuration: Sendable {
        /// Closed or open loop.
        public var load: LoginLoadShape
        /// The provider logged in with: `kakao` or `google` (the `{provider}` of the routes).
        public var provider: BenchProvider
        /// Seconds measured, after the warm-up.
        public var duration: Int
        /// Seconds of load before the measured window; nothing from them is reported.
        public var warmup: Int
        /// The wait of each long-poll, seconds (0–30).
        public var wait: Int
        /// Seconds a request may go unanswered (a long-poll: beyond its wait) before the run
        /// stops with an error.
        public var timeout: Int
        /// The processes measured: resident memory at the end (API, worker) and CPU time in the
        /// window (all four; PostgreSQL's postmaster counts with all its children).
        public var apiPID: Int32?
        public var workerPID: Int32?
        public var emulatorPID: Int32?
        public var postgresPID: Int32?

        public init(
            load: LoginLoadShape,
            provider: BenchProvider = .kakao,
            duration: Int = 60,
            warmup: Int = 10,
            wait: Int = 25,
            timeout: Int = 30,
            apiPID: Int32? = nil,
            workerPID: Int32? = nil,
            emulatorPID: Int32? = nil,
            postgresPID: Int32? = nil
        ) {
            self.load = load
            self.provider = provider
            self.duration = duration
            self.warmup = warmup
            self.wait = wait
            self.timeout = timeout
            self.apiPID = apiPID
            self.workerPID = workerPID
            self.emulatorPID = emulatorPID
            self.postgresPID = postgresPID
        }

        /// Checks every value; the error names the flag at fault.
        public func validate() throws(BenchInputError) {
            try load.validate()
            guard duration > 0, warmup >= 0 else { throw BenchInputError("--duration must be positive and --warmup not negative") }
            guard (0...30).contains(wait) else { throw BenchInputError("--wait must be 0…30") }
            guard (1...3600).contains(timeout) else { throw BenchInputError("--timeout must be 1…3600") }
        }

        /// The processes whose CPU time is measured, by name; the server's as a whole tree.
        var processes: [MeasuredProcess] {
            [
                postgresPID.map { MeasuredProcess(name: "postgres", pid: $0, tree: true) },
                apiPID.map { MeasuredProcess(name: "api", pid: $0, tree: false) },
                workerPID.map { MeasuredProcess(name: "worker", pid: $0, tree: false) },
                emulatorPID.map { MeasuredProcess(name: "emulator", pid: $0, tree: false) },
                MeasuredProcess(name: "bench", pid: ProcessInfo.processInfo.processIdentifier, tree: false),
            ].compactMap { $0 }
        }
    }

    /// A process whose CPU time the window measures.
    struct MeasuredProcess {
        let name: String
        let pid: Int32
        /// With its descendants and reaped children (see ``ProcessCPU/seconds(pid:tree:)``).
        let tree: Bool
    }

    let api: BenchEndpoint
    let emulator: BenchEndpoint
    let database: PostgresConfiguration
    let configuration: Configuration
    let logger: Logger
    let group: any EventLoopGroup

    /// A bench of the API at `api` and the emulator it uses at `emulator` (loopback), reading
    /// the server's transaction counter and settings through `database`.
    public init(
        api: BenchEndpoint,
        emulator: BenchEndpoint,
        database: PostgresConfiguration,
        configuration: Configuration,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.api = api
        self.emulator = emulator
        self.database = database
        self.configuration = configuration
        self.logger = logger
        self.group = group
    }

    /// Runs the warm-up and the measured window and returns the figures. Throws when a server
    /// stops answering (``HTTPConnection/Failure/timedOut(request:after:)``) or the database
    /// cannot be read.
    public func run() async throws -> LoginsReport {
        let timeout = TimeAmount.seconds(Int64(configuration.timeout))
        let control = try await HTTPConnection.open(host: emulator.host, port: emulator.port, timeout: timeout, on: group.next())
        let emulatorControl = EmulatorControl(connection: control, endpoint: emulator)
        let metrics = try await HTTPConnection.open(host: api.host, port: api.port, timeout: timeout, on: group.next())
        let startCommits = APIStartCommits(connection: metrics, endpoint: api)

        let report = try await PostgresConnection.withConnection(configuration: database, logger: logger) { connection in
            let settings = try await ServerSettings.read(on: connection)
            let statsBefore = try await emulatorControl.stats()
            let load = LoginLoad(
                shape: configuration.load,
                api: api,
                emulator: emulator,
                provider: configuration.provider,
                waitSeconds: configuration.wait,
                timeout: timeout,
                group: group
            )
            progress("\(configuration.load.description): warming up \(configuration.warmup) s, then measuring \(configuration.duration) s")

            let windowStart = NIODeadline.now() + .seconds(Int64(configuration.warmup))
            let windowEnd = windowStart + .seconds(Int64(configuration.duration))
            async let window = Self.readWindow(
                from: windowStart,
                to: windowEnd,
                on: connection,
                startCommits: startCommits,
                processes: configuration.processes
            )
            let samples = try await load.run(until: windowEnd)
            let edges = try await window
            progress("measured; reading the emulator's time per login")

            let measured = samples.filter { $0.endedAt >= windowStart && $0.endedAt < windowEnd }
            let elapsed = try await emulatorControl.elapsed(userIDs: measured.filter(\.succeeded).compactMap(\.userID))
            let statsAfter = try await emulatorControl.stats()
            return LoginsReport(
                configuration: configuration,
                measured: measured,
                startsInWindow: samples.count { $0.startedAt.map { $0 >= windowStart && $0 < windowEnd } ?? false },
                startTransactions: edges.startTransactions,
                emulatorElapsed: elapsed,
                writeTransactions: edges.xmaxAfter - edges.xmaxBefore,
                statsBefore: statsBefore,
                statsAfter: statsAfter,
                api: configuration.apiPID.flatMap(ProcessMemory.init(pid:)),
                worker: configuration.workerPID.flatMap(ProcessMemory.init(pid:)),
                cpuSeconds: edges.cpuSeconds,
                settings: settings,
                loadAverages: (edges.loadBefore, MachineFacts.loadAverage)
            )
        }
        await control.close()
        await metrics.close()
        return report
    }

    private func progress(_ message: String) {
        BenchText.progress("logins", message)
    }

    /// What is read at the window's two edges: the next transaction id, the load average, and
    /// the CPU time each process used in between, and the API's `/start` transactions.
    private struct WindowEdges {
        var xmaxBefore: Int64
        var xmaxAfter: Int64
        var startTransactions: Int64?
        var loadBefore: Double?
        var cpuSeconds: [(name: String, seconds: Double)]
    }

    private static func readWindow(
        from start: NIODeadline,
        to end: NIODeadline,
        on connection: PostgresConnection,
        startCommits: APIStartCommits,
        processes: [MeasuredProcess]
    ) async throws -> WindowEdges {
        func cpu() -> [Double?] { processes.map { ProcessCPU.seconds(pid: $0.pid, tree: $0.tree) } }
        try await sleep(until: start)
        let startsBefore = try await startCommits.read()
        let before = try await nextTransactionID(connection)
        let load = MachineFacts.loadAverage
        let cpuBefore = cpu()
        try await sleep(until: end)
        let cpuAfter = cpu()
        let after = try await nextTransactionID(connection)
        let startsAfter = try await startCommits.read()
        let used = processes.indices.compactMap { index -> (String, Double)? in
            guard let before = cpuBefore[index], let after = cpuAfter[index] else { return nil }
            return (processes[index].name, after - before)
        }
        return WindowEdges(
            xmaxBefore: before,
            xmaxAfter: after,
            startTransactions: startsBefore.flatMap { before in startsAfter.map { $0 - before } },
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
