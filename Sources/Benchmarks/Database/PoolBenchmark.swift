import Foundation
import LocalPostgres
import Logging
import Postgres

/// `kakao-login bench db`: single-row round trips per second through the pool, beside
/// `pgbench` running the same two statements on the same database.
///
/// Each iteration is an INSERT … RETURNING id and a SELECT by that primary key, each in its own
/// autocommit transaction, from K concurrent tasks over a pool of K connections; pgbench runs the
/// same two statements. Creates and truncates the table `bench_db_rows`. Prints each run and the
/// table of medians on standard output as it goes.
public struct PoolBenchmark: Sendable {
    /// The concurrencies, the runs and the comparison.
    public struct Configuration: Sendable {
        /// The concurrencies K (pool of K, K tasks, pgbench -c K).
        public var concurrencyLevels: [Int]
        /// Seconds per run.
        public var duration: Int
        /// Runs of each side per K; the median is reported.
        public var runs: Int
        /// Whether and where pgbench runs.
        public var pgbench: Pgbench
        /// Runs the K tasks on the global executor instead of preferring the pool's task executor.
        public var globalExecutor: Bool

        public init(
            concurrencyLevels: [Int] = [1, 8, 32],
            duration: Int = 60,
            runs: Int = 3,
            pgbench: Pgbench = .search,
            globalExecutor: Bool = false
        ) {
            self.concurrencyLevels = concurrencyLevels
            self.duration = duration
            self.runs = runs
            self.pgbench = pgbench
            self.globalExecutor = globalExecutor
        }

        /// The K of a comma-separated list such as `1,8,32` (what is not an integer is left out).
        public static func concurrencyLevels(_ list: String) -> [Int] {
            list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }

        /// Checks every value; the error names the flag at fault.
        public func validate() throws(BenchInputError) {
            guard duration > 0, runs > 0 else { throw BenchInputError("--duration and --runs must be positive") }
            guard !concurrencyLevels.isEmpty, concurrencyLevels.allSatisfy({ $0 > 0 }) else {
                throw BenchInputError("--concurrency must list positive integers, e.g. 1,8,32")
            }
        }
    }

    /// The pgbench side of the comparison.
    public enum Pgbench: Sendable, Equatable {
        /// Measure only kakao-login's pool.
        case off
        /// The first pgbench on PATH, then in /usr/lib/postgresql/*/bin (newest first).
        case search
        /// This executable.
        case path(String)
    }

    let database: PostgresConfiguration
    let configuration: Configuration
    let logger: Logger

    /// A bench on the database `database` points at.
    public init(database: PostgresConfiguration, configuration: Configuration, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    private static let payload = "bench-payload-0123456789"

    /// Runs every K in turn, ours then pgbench's, `runs` times, and prints the table.
    public func run() async throws {
        let duration = configuration.duration
        let pgbenchPath = try findPgbench()
        let script = try writePgbenchScript()
        defer { try? FileManager.default.removeItem(atPath: script) }

        try await PostgresConnection.withConnection(configuration: database, logger: logger) { conn in
            try await conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_db_rows (id bigserial PRIMARY KEY, payload text NOT NULL)"
            )
            print(try await ServerSettings.read(on: conn).line)
        }
        print(
            "machine: \(MachineFacts.cores) cores shared by server and client; "
                + "load average \(Self.loadAverage()); duration \(duration) s, \(configuration.runs) runs, median"
        )
        print("kakao-login tasks run on " + (configuration.globalExecutor ? "the global executor" : "the pool's task executor"))
        if let pgbenchPath {
            print("pgbench: PGDATABASE=\"$DATABASE_URL\" \(pgbenchPath) -n -M prepared -c K -j min(2,K) -T \(duration) -f <script>")
            print("pgbench script:\n" + Self.pgbenchScript.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        }

        var summary: [PoolSummaryRow] = []
        for k in configuration.concurrencyLevels {
            var ours: [Double] = []
            var theirs: [Double] = []
            for run in 1...configuration.runs {
                try await truncate()
                let rate = try await measurePool(k: k)
                ours.append(rate)
                print(String(format: "K=%-3d run %d  kakao-login  %9.1f iterations/s", k, run, rate))
                if let pgbenchPath {
                    try await truncate()
                    let rate = try await runPgbench(pgbenchPath, script: script, k: k)
                    theirs.append(rate)
                    print(String(format: "K=%-3d run %d  pgbench      %9.1f iterations/s", k, run, rate))
                }
            }
            summary.append(PoolSummaryRow(k: k, ours: ours, pgbench: theirs))
        }

        print("\nload average at the end: \(Self.loadAverage())")
        print("median iterations/s (one iteration = INSERT … RETURNING id + SELECT by id = 2 round trips)")
        print("   K   kakao-login      pgbench   ratio of medians   median of paired ratios")
        for row in summary { print(row.line) }
    }

    // MARK: the pool side

    /// K tasks over a pool of K connections, each looping INSERT … RETURNING id, then SELECT by
    /// that id, for `duration` seconds after a one-second warm-up that opens the connections.
    private func measurePool(k: Int) async throws -> Double {
        let pool = PostgresPool(
            configuration: database,
            options: .init(maximumConnections: k, acquireTimeout: .seconds(30), name: "bench"),
            logger: logger
        )
        let duration = Duration.seconds(configuration.duration)
        let executor = configuration.globalExecutor ? nil : pool.taskExecutor
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            defer { group.cancelAll() }
            let clock = ContinuousClock()
            let warmUpEnd = clock.now + .seconds(1)
            let iterations = try await withThrowingTaskGroup(of: Int.self) { workers in
                for _ in 0..<k {
                    workers.addTask(executorPreference: executor) {
                        while clock.now < warmUpEnd { try await Self.iteration(pool) }
                        return 0
                    }
                }
                try await workers.waitForAll()
                let start = clock.now
                let end = start + duration
                for _ in 0..<k {
                    workers.addTask(executorPreference: executor) {
                        var count = 0
                        while clock.now < end {
                            try await Self.iteration(pool)
                            count += 1
                        }
                        return count
                    }
                }
                var total = 0
                for try await count in workers { total += count }
                let elapsed = clock.now - start
                return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            return iterations
        }
    }

    private static func iteration(_ pool: PostgresPool) async throws {
        let id = try await pool.query("INSERT INTO bench_db_rows (payload) VALUES (\(payload)) RETURNING id")
            .single().decode(Int64.self, "id")
        let row = try await pool.query("SELECT payload FROM bench_db_rows WHERE id = \(id)").single()
        _ = try row.decode(String.self, "payload")
    }

    private func truncate() async throws {
        try await PostgresConnection.withConnection(configuration: database, logger: logger) { conn in
            try await conn.execute("TRUNCATE bench_db_rows RESTART IDENTITY")
            try await conn.execute("CHECKPOINT")
        }
    }

    // MARK: the pgbench side

    private static let pgbenchScript = """
        INSERT INTO bench_db_rows (payload) VALUES ('\(payload)') RETURNING id \\gset
        SELECT payload FROM bench_db_rows WHERE id = :id;

        """

    private func writePgbenchScript() throws -> String {
        let path = NSTemporaryDirectory() + "kakao-login-bench-db-\(UUID().uuidString).sql"
        try Self.pgbenchScript.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The pgbench to run, nil when it is off.
    private func findPgbench() throws(BenchFailure) -> String? {
        switch configuration.pgbench {
        case .off: return nil
        case .path(let path): return path
        case .search: break
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var candidates = path.split(separator: ":").map { "\($0)/pgbench" }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/pgbench" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchFailure("pgbench not found: pass --pgbench PATH or --no-pgbench")
        }
        return found
    }

    /// Runs pgbench and returns its tps (script executions per second, without connection time).
    private func runPgbench(_ path: String, script: String, k: Int) async throws -> Double {
        let arguments = ["-n", "-M", "prepared", "-c", "\(k)", "-j", "\(min(2, k))", "-T", "\(configuration.duration)", "-f", script]
        // The connection string goes through PGDATABASE (which pgbench expands like psql), not
        // argv, so a password in it does not show in `ps`.
        var environment: [String: String?] = [:]
        if let connectionString = database.connectionString { environment["PGDATABASE"] = connectionString }
        let outputPath = NSTemporaryDirectory() + "kakao-login-pgbench-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        // posix_spawn with an empty signal mask: pgbench -T stops on SIGALRM.
        let status = try await ChildProcess.run([path] + arguments, environment: environment, outputPath: outputPath)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0,
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst("tps = ".count).prefix { $0 != " " })
        else {
            throw BenchFailure("pgbench failed (exit \(status)): \(text.suffix(300))")
        }
        return value
    }

    /// `/proc/loadavg`'s first three fields (other work on the machine skews every figure).
    private static func loadAverage() -> String {
        MachineFacts.loadAverage.map { String(format: "%.2f", $0) } ?? "unknown"
    }
}
