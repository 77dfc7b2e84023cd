import ArgumentParser
import Benchmarks
import Foundation
import Postgres

/// `kakao-login bench queue`: the flags of ``QueueBenchmark``; progress on standard error, the
/// report (or `--json`) on standard output.
struct BenchQueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Measure the queue core alone: enqueue and burn-down jobs/s with a provider that answers at once.",
        discussion: """
            Each run empties the login tables, enqueues --jobs jobs one per transaction from \
            --enqueue-clients clients through the API's own enqueue, then starts one worker at \
            --concurrency and times the burn-down (first claim to last completion, by the database's \
            clock): claim, a no-op exchange and profile, and the completing statement that signs each \
            job's user up. Needs a database of its own (it refuses one with other rows). Connects like \
            psql (DATABASE_URL or PG* variables). Build with -c release before measuring; \
            scripts/bench-queue-peers runs it beside pgqueuer on a throw-away cluster.
            """
    )

    @Option(help: "Jobs per run.")
    var jobs: Int = 20_000

    @Option(name: .customLong("enqueue-clients"), help: "Concurrent enqueueing clients, each with a connection.")
    var enqueueClients: Int = 8

    @Option(help: "The worker's most jobs in flight.")
    var concurrency: Int = 64

    @Option(name: .customLong("worker-connections"), help: "The worker's pool size.")
    var workerConnections: Int = 10

    @Option(help: "Runs; each is reported, then the medians.")
    var runs: Int = 3

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    private var benchmark: QueueBenchmark.Configuration {
        QueueBenchmark.Configuration(
            jobs: jobs,
            enqueueClients: enqueueClients,
            concurrency: concurrency,
            workerConnections: workerConnections,
            runs: runs
        )
    }

    func validate() throws {
        try BenchArguments.usage { () throws(BenchInputError) in try benchmark.validate() }
    }

    func run() async throws {
        let logger = try LoggingBootstrap.logger("kakao-login.bench.queue")
        try await CommandErrors.reporting("bench queue") {
            let results = try await QueueBenchmark(
                database: try PostgresConfiguration.fromEnvironment(),
                configuration: benchmark,
                logger: logger
            ).run()
            print(
                json
                    ? QueueReport(results: results, configuration: benchmark).json
                    : QueueReport(results: results, configuration: benchmark).text
            )
        }
    }
}
