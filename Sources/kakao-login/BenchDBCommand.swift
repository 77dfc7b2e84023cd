import ArgumentParser
import Benchmarks
import Postgres

/// `kakao-login bench db`: the flags of ``PoolBenchmark``, which prints as it goes.
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

    /// The flags as the benchmark takes them.
    private var benchmark: PoolBenchmark.Configuration {
        PoolBenchmark.Configuration(
            concurrencyLevels: PoolBenchmark.Configuration.concurrencyLevels(concurrency),
            duration: duration,
            runs: runs,
            pgbench: noPgbench ? .off : pgbench.map { .path($0) } ?? .search,
            globalExecutor: globalExecutor
        )
    }

    func validate() throws {
        try BenchArguments.usage { () throws(BenchInputError) in try benchmark.validate() }
    }

    func run() async throws {
        let logger = try LoggingBootstrap.logger("kakao-login.bench.db")
        try await CommandErrors.reporting("bench db") {
            try await PoolBenchmark(database: try PostgresConfiguration.fromEnvironment(), configuration: benchmark, logger: logger).run()
        }
    }
}
