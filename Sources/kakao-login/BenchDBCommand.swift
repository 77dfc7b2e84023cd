import ArgumentParser
import Foundation
import LocalPostgres
import Logging
import Postgres

/// `kakao-login bench db`: single-row round trips per second through the pool, beside
/// `pgbench` running the same two statements on the same database.
struct BenchDBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Measure single-row round trips/s through the pool, beside pgbench on the same statements.",
        discussion: """
            Each iteration is an INSERT … RETURNING id and a SELECT by that primary key, each in its \
            own autocommit transaction, from K concurrent tasks over a pool of K connections. \
            pgbench runs the same two statements (-n -M prepared -c K -j min(2,K) -T duration). \
            Reports the median of --runs runs of each, interleaved. The tasks prefer the pool's \
            task executor (PostgresPool.taskExecutor) unless --global-executor is given. Connects like psql \
            (DATABASE_URL or PG* variables); creates and truncates the table bench_db_rows. \
            Build with -c release before measuring.
            """
    )

    @Option(help: "Comma-separated concurrencies K (pool of K, K tasks, pgbench -c K).")
    var concurrency: String = "1,8,32"

    @Option(help: "Seconds per run.")
    var duration: Int = 60

    @Option(help: "Runs of each side per K; the median is reported.")
    var runs: Int = 3

    @Option(help: "The pgbench executable (default: PATH, then /usr/lib/postgresql/*/bin).")
    var pgbench: String?

    @Flag(help: "Measure only kakao-login's pool, not pgbench.")
    var noPgbench = false

    @Flag(
        help: """
            Run the K tasks on the global executor instead of preferring the pool's task executor \
            (each answer then resumes its task on a cooperative thread: one thread switch more per statement).
            """
    )
    var globalExecutor = false

    func validate() throws {
        guard duration > 0, runs > 0 else { throw ValidationError("--duration and --runs must be positive") }
        guard !concurrencyLevels.isEmpty, concurrencyLevels.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--concurrency must list positive integers, e.g. 1,8,32")
        }
    }

    private var concurrencyLevels: [Int] {
        concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    private static let payload = "bench-payload-0123456789"

    func run() async throws {
        let logger = LoggingBootstrap.logger("kakao-login.bench.db")
        try await CommandErrors.reporting("bench db") {
            let configuration = try PostgresConfiguration.fromEnvironment()
            let pgbenchPath = noPgbench ? nil : try findPgbench()
            let script = try writePgbenchScript()
            defer { try? FileManager.default.removeItem(atPath: script) }

            try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { conn in
                try await conn.execute(
                    "CREATE TABLE IF NOT EXISTS bench_db_rows (id bigserial PRIMARY KEY, payload text NOT NULL)"
                )
                print(try await ServerSettings.read(on: conn).line)
            }
            print(
                "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores shared by server and client; "
                    + "load average \(Self.loadAverage()); duration \(duration) s, \(runs) runs, median"
            )
            print("kakao-login tasks run on " + (globalExecutor ? "the global executor" : "the pool's task executor"))
            if let pgbenchPath {
                print("pgbench: PGDATABASE=\"$DATABASE_URL\" \(pgbenchPath) -n -M prepared -c K -j min(2,K) -T \(duration) -f <script>")
                print("pgbench script:\n" + Self.pgbenchScript.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }

            var summary: [(k: Int, ours: Double, pgbench: Double?, pairedRatio: Double?)] = []
            for k in concurrencyLevels {
                var ours: [Double] = []
                var theirs: [Double] = []
                for run in 1...runs {
                    try await truncate(configuration, logger)
                    let rate = try await measurePool(configuration: configuration, k: k, logger: logger)
                    ours.append(rate)
                    print(String(format: "K=%-3d run %d  kakao-login  %9.1f iterations/s", k, run, rate))
                    if let pgbenchPath {
                        try await truncate(configuration, logger)
                        let rate = try await runPgbench(pgbenchPath, script: script, k: k, configuration: configuration)
                        theirs.append(rate)
                        print(String(format: "K=%-3d run %d  pgbench      %9.1f iterations/s", k, run, rate))
                    }
                }
                // Each run is ours then pgbench's, back to back: the ratio within a pair is less
                // exposed to other work on a shared machine than the ratio of the two medians.
                let ratios = zip(ours, theirs).map { $0 / $1 }
                summary.append((k, median(ours), theirs.isEmpty ? nil : median(theirs), ratios.isEmpty ? nil : median(ratios)))
            }

            print("\nload average at the end: \(Self.loadAverage())")
            print("median iterations/s (one iteration = INSERT … RETURNING id + SELECT by id = 2 round trips)")
            print("   K   kakao-login      pgbench   ratio of medians   median of paired ratios")
            for row in summary {
                if let pgbench = row.pgbench, let paired = row.pairedRatio {
                    print(
                        String(
                            format: "%4d  %12.1f %12.1f   %15.1f%%   %22.1f%%",
                            row.k,
                            row.ours,
                            pgbench,
                            100 * row.ours / pgbench,
                            100 * paired
                        )
                    )
                } else {
                    print(String(format: "%4d  %12.1f", row.k, row.ours) + "            -     -")
                }
            }
        }
    }

    // MARK: the pool side

    /// K tasks over a pool of K connections, each looping INSERT … RETURNING id, then SELECT by
    /// that id, for `duration` seconds after a one-second warm-up that opens the connections.
    private func measurePool(configuration: PostgresConfiguration, k: Int, logger: Logger) async throws -> Double {
        let pool = PostgresPool(
            configuration: configuration,
            options: .init(maximumConnections: k, acquireTimeout: .seconds(30), name: "bench"),
            logger: logger
        )
        let duration = Duration.seconds(self.duration)
        let executor = globalExecutor ? nil : pool.taskExecutor
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

    private func truncate(_ configuration: PostgresConfiguration, _ logger: Logger) async throws {
        try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { conn in
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

    private func findPgbench() throws -> String {
        if let pgbench { return pgbench }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var candidates = path.split(separator: ":").map { "\($0)/pgbench" }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/pgbench" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationError("pgbench not found: pass --pgbench PATH or --no-pgbench")
        }
        return found
    }

    /// Runs pgbench and returns its tps (script executions per second, without connection time).
    private func runPgbench(
        _ path: String,
        script: String,
        k: Int,
        configuration: PostgresConfiguration
    ) async throws
        -> Double
    {
        let arguments = ["-n", "-M", "prepared", "-c", "\(k)", "-j", "\(min(2, k))", "-T", "\(duration)", "-f", script]
        // The connection string goes through PGDATABASE (which pgbench expands like psql), not
        // argv, so a password in it does not show in `ps`.
        var environment: [String: String?] = [:]
        if let connectionString = configuration.connectionString { environment["PGDATABASE"] = connectionString }
        let outputPath = NSTemporaryDirectory() + "kakao-login-pgbench-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        // posix_spawn with an empty signal mask: pgbench -T stops on SIGALRM.
        let status = try await ChildProcess.run([path] + arguments, environment: environment, outputPath: outputPath)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0,
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst("tps = ".count).prefix { $0 != " " })
        else {
            throw ValidationError("pgbench failed (exit \(status)): \(text.suffix(300))")
        }
        return value
    }

    /// `/proc/loadavg`'s first three fields (other work on the machine skews every figure).
    private static func loadAverage() -> String {
        MachineFacts.loadAverage.map { String(format: "%.2f", $0) } ?? "unknown"
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
