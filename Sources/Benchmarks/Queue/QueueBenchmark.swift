import Accounts
import Crypto
import Foundation
import JWTKit
import Logging
import LoginQueue
import Postgres
import ServiceLifecycle

/// `kakao-login bench queue`: the queue core alone, with a provider that answers at once
/// (``NoOpLoginProvider``). Each run enqueues N jobs, one per transaction, from K clients through
/// the API's own enqueue (`APILoginJobs`: sealing, HMAC, the insert and its NOTIFY), then starts one
/// worker (`LoginWorker`, as `kakao-login worker` runs it) and times how fast it burns them down:
/// claim, run, and the completing statement that signs each job's user up.
///
/// It needs a database of its own: it refuses one holding anything but its own rows, and empties
/// the login tables before every run (`scripts/bench-queue-peers` makes a throw-away cluster).
public struct QueueBenchmark: Sendable {
    /// Sizes and concurrencies.
    public struct Configuration: Sendable {
        /// Jobs per run.
        public var jobs: Int
        /// Concurrent clients enqueueing, each over its own connection.
        public var enqueueClients: Int
        /// The worker's most jobs in flight (`kakao-login worker --concurrency`).
        public var concurrency: Int
        /// The worker's pool (`DATABASE_POOL_SIZE`'s default).
        public var workerConnections: Int
        /// Runs; the report gives each and the median.
        public var runs: Int

        public init(jobs: Int = 20_000, enqueueClients: Int = 8, concurrency: Int = 64, workerConnections: Int = 10, runs: Int = 3) {
            self.jobs = jobs
            self.enqueueClients = enqueueClients
            self.concurrency = concurrency
            self.workerConnections = workerConnections
            self.runs = runs
        }

        /// Checks every value; the error names the flag at fault.
        public func validate() throws(BenchInputError) {
            guard (1...10_000_000).contains(jobs) else { throw BenchInputError("--jobs must be between 1 and 10000000") }
            guard (1...256).contains(enqueueClients) else { throw BenchInputError("--enqueue-clients must be between 1 and 256") }
            guard (1...10_000).contains(concurrency) else { throw BenchInputError("--concurrency must be between 1 and 10000") }
            guard (1...200).contains(workerConnections) else { throw BenchInputError("--worker-connections must be between 1 and 200") }
            guard runs > 0 else { throw BenchInputError("--runs must be positive") }
        }
    }

    let database: PostgresConfiguration
    let configuration: Configuration
    let logger: Logger

    public init(database: PostgresConfiguration, configuration: Configuration, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `runs` times and returns each run's figures.
    public func run() async throws -> [QueueRunResult] {
        let sealing = SealingKeys.random(id: "bench")
        let provider = ConfiguredProvider(provider: NoOpLoginProvider(), route: "bench", redirectURIs: ["http://127.0.0.1/bench/callback"])
        let enqueueOptions = PostgresPool.Options(
            maximumConnections: configuration.enqueueClients,
            acquireTimeout: .seconds(60),
            name: "bench"
        )
        return try await PostgresPool.withRunning(configuration: database, options: enqueueOptions, logger: logger) { pool in
            try await QueueBenchTables(pool: pool).refuseForeignRows()
            let jobs = APILoginJobs(
                pool: pool,
                sealing: sealing,
                configuration: LoginQueueConfiguration(jobDeadline: .seconds(3600)),
                sessions: Sessions(
                    pool: pool,
                    configuration: try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256)),
                    accessTokens: try await Self.accessTokenKeys(),
                    logger: logger
                ),
                logger: logger
            )
            var results: [QueueRunResult] = []
            for run in 1...configuration.runs {
                let tables = QueueBenchTables(pool: pool)
                try await tables.empty()
                BenchText.progress(
                    "queue",
                    "run \(run): enqueueing \(configuration.jobs) jobs from \(configuration.enqueueClients) clients"
                )
                let before = try await tables.nextTransactionID()
                let enqueueSeconds = try await enqueue(into: jobs, provider: provider)
                let afterEnqueue = try await tables.nextTransactionID()
                BenchText.progress("queue", "run \(run): one worker at --concurrency \(configuration.concurrency) burns them down")
                try await burnDown(sealing: sealing, tables: tables)
                let afterBurnDown = try await tables.nextTransactionID()
                let outcome = try await tables.outcome()
                let result = QueueRunResult(
                    jobs: configuration.jobs,
                    enqueueJobsPerSecond: Double(configuration.jobs) / enqueueSeconds,
                    burnDownJobsPerSecond: outcome.seconds > 0 ? Double(outcome.succeeded + outcome.failed) / outcome.seconds : 0,
                    failed: outcome.failed,
                    enqueueCommitsPerJob: Double(afterEnqueue - before) / Double(configuration.jobs),
                    burnDownCommitsPerJob: Double(afterBurnDown - afterEnqueue) / Double(configuration.jobs)
                )
                BenchText.progress("queue", "run \(run): \(result.line)")
                results.append(result)
            }
            return results
        }
    }

    /// Enqueues the run's jobs from `enqueueClients` tasks, one job per statement and commit;
    /// returns the seconds it took.
    private func enqueue(into jobs: APILoginJobs, provider: ConfiguredProvider) async throws -> Double {
        let clients = configuration.enqueueClients
        let total = configuration.jobs
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                // An equal share each; the first `total % clients` take one more.
                let share = total / clients + (client < total % clients ? 1 : 0)
                group.addTask {
                    for _ in 0..<share {
                        _ = try await jobs.enqueue(code: Self.randomCode(), redirectURI: nil, reader: .newPollToken, provider: provider)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Runs one worker, as `kakao-login worker` does, until every job of the run has ended.
    private func burnDown(sealing: SealingKeys, tables: QueueBenchTables) async throws {
        let options = PostgresPool.Options(maximumConnections: configuration.workerConnections, name: "worker")
        let workerPool = PostgresPool(configuration: database, options: options, logger: logger)
        let worker = LoginWorker(
            pool: workerPool,
            listenerConfiguration: database,
            providers: [NoOpLoginProvider()],
            sealing: sealing,
            accounts: UserAccounts(),
            configuration: WorkerConfiguration(concurrency: configuration.concurrency, workerID: "bench-queue"),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: workerPool), .init(service: worker)], logger: logger)
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while try await tables.hasOpenJobs() {
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// 32 random URL-safe characters: a code as the API accepts it, and the no-op provider's subject.
    private static func randomCode() -> String {
        // 64 letters, so one random byte's low six bits pick one: four draws of the generator for
        // a code, where `Int.random(in:)` per letter made 32 system calls (the bench's own CPU).
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        return String(decoding: SecureRandom.bytes(32).map { alphabet[Int($0 & 63)] }, as: UTF8.self)
    }

    /// A throw-away ES256 key: the enqueue side never signs, but `Sessions` needs one.
    private static func accessTokenKeys() async throws -> AccessTokenKeys {
        let key = try ES256PrivateKey(pem: P256.Signing.PrivateKey().pemRepresentation)
        return try await AccessTokenKeys(
            keys: [("bench", key)],
            signingKID: nil,
            issuer: "kakao-login-bench",
            audience: "kakao-login-bench"
        )
    }
}
