import Accounts
import Crypto
import Foundation
import JWTKit
import KakaoAPI
import KakaoEmulator
import Logging
import OAuthClientSupport
import Postgres
import ServiceLifecycle
import TestSupport
import Testing

@testable import LoginQueue

/// One test's world: its own database (cloned from the migrated template, so workers of
/// parallel tests never see each other's jobs), a running pool, an emulator on a free port, and
/// the queue's API and worker pointed at both.
struct QueueHarness {
    static let redirectURI = "http://127.0.0.1:8080/auth/kakao/callback"
    static let otherRedirectURI = "http://localhost:8080/auth/kakao/callback"
    static let redirectURIs = [redirectURI, otherRedirectURI]

    let database: PostgresConfiguration
    /// The database's name, for child processes' `DATABASE_URL`.
    let databaseName: String
    let pool: PostgresPool
    let emulator: KakaoEmulator
    let client: KakaoClient
    let provider: KakaoLoginProvider
    let sealing: SealingKeys
    /// `LOGIN_SEALING_KEYS` of ``sealing``, for child processes.
    let sealingSpecification: String
    let configuration: LoginQueueConfiguration
    let attempts: LoginAttempts
    let jobs: APILoginJobs
    let logger: Logger

    /// Runs `body` in a fresh world.
    static func run(
        emulator emulatorConfiguration: KakaoEmulatorConfiguration = KakaoEmulatorConfiguration(),
        clientSecret: String? = nil,
        queue: LoginQueueConfiguration = LoginQueueConfiguration(),
        readTimeout: Duration = .seconds(5),
        database given: PostgresConfiguration? = nil,
        _ body: (QueueHarness) async throws -> Void
    ) async throws {
        let logger = TestEnvironment.logger
        let (databaseName, database): (String, PostgresConfiguration)
        if let given {
            (databaseName, database) = ("postgres", given)
        } else {
            (databaseName, database) = try await freshDatabase()
        }
        let emulator = try KakaoEmulator(configuration: emulatorConfiguration, logger: logger)
        try await emulator.withRunningServer { baseURL in
            let clientConfiguration = try KakaoClientConfiguration(
                restAPIKey: "emulator-rest-api-key",
                clientSecret: clientSecret,
                adminKey: "emulator-admin-key",
                authURL: baseURL,
                apiURL: baseURL,
                connectTimeout: .seconds(2),
                readTimeout: readTimeout,
                requestTimeout: readTimeout + .seconds(5)
            )
            let httpClient = clientConfiguration.makeHTTPClient()
            do {
                try await run(
                    database: database,
                    databaseName: databaseName,
                    emulator: emulator,
                    httpClient: httpClient,
                    clientConfiguration: clientConfiguration,
                    queue: queue,
                    logger: logger,
                    body
                )
                await httpClient.shutdown()
            } catch {
                await httpClient.shutdown()
                throw error
            }
        }
    }

    private static func run(
        database: PostgresConfiguration,
        databaseName: String,
        emulator: KakaoEmulator,
        httpClient: ProviderHTTPClient,
        clientConfiguration: KakaoClientConfiguration,
        queue: LoginQueueConfiguration,
        logger: Logger,
        _ body: (QueueHarness) async throws -> Void
    ) async throws {
        let client = KakaoClient(configuration: clientConfiguration, httpClient: httpClient, logger: logger)
        // Named as a `kakao-login worker` child process pointed at the emulator names it.
        let provider = KakaoLoginProvider(client: client, name: "kakao_emulator")
        let sealingSpecification = "t1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let sealing = try SealingKeys(parsing: sealingSpecification)
        let sessionConfiguration = try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256))
        try await withPool(database, options: PostgresPool.Options(maximumConnections: 8, acquireTimeout: .seconds(30))) { pool in
            let harness = QueueHarness(
                database: database,
                databaseName: databaseName,
                pool: pool,
                emulator: emulator,
                client: client,
                provider: provider,
                sealing: sealing,
                sealingSpecification: sealingSpecification,
                configuration: queue,
                attempts: LoginAttempts(
                    pool: pool,
                    sealing: sealing,
                    provider: ConfiguredProvider(provider: provider, route: "kakao", redirectURIs: Self.redirectURIs),
                    configuration: queue,
                    logger: logger
                ),
                jobs: APILoginJobs(
                    pool: pool,
                    sealing: sealing,
                    configuration: queue,
                    sessions: Sessions(
                        pool: pool,
                        configuration: sessionConfiguration,
                        accessTokens: try await Self.accessTokenKeys(),
                        logger: logger
                    ),
                    logger: logger
                ),
                logger: logger
            )
            try await body(harness)
        }
    }

    /// A throw-away ES256 key to sign the access tokens of delivered logins.
    static func accessTokenKeys() async throws -> AccessTokenKeys {
        let key = try ES256PrivateKey(pem: P256.Signing.PrivateKey().pemRepresentation)
        return try await AccessTokenKeys(keys: [("test", key)], signingKID: nil, issuer: "kakao-login-tests", audience: "kakao-login-tests")
    }

    /// A new database cloned from the migrated template.
    static func freshDatabase() async throws -> (name: String, configuration: PostgresConfiguration) {
        let name = "t_queue_\(UUID().uuidString.prefix(12))".lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresConnection.withConnection(configuration: try TestEnvironment.configuration(), logger: TestEnvironment.logger) {
            admin in
            try await admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: try TestEnvironment.templateDatabase())")
        }
        return (name, try TestEnvironment.configuration(database: name))
    }

    /// The environment of a `kakao-login worker` child process for this world, with test-short
    /// intervals.
    func workerEnvironment(lease: String = "2") throws -> [String: String] {
        [
            "DATABASE_URL": try TestEnvironment.databaseURL(database: databaseName),
            "KAKAO_REST_API_KEY": "emulator-rest-api-key",
            "KAKAO_ADMIN_KEY": "emulator-admin-key",
            "KAKAO_AUTH_URL": emulator.baseURL,
            "KAKAO_API_URL": emulator.baseURL,
            "LOGIN_ALLOW_EMULATOR": "true",
            "LOGIN_SEALING_KEYS": sealingSpecification,
            "LOGIN_WORKER_LEASE_SECONDS": lease,
            "LOGIN_WORKER_POLL_SECONDS": "0.1",
            "LOGIN_RETRY_FLOOR_SECONDS": "0.05",
            "LOGIN_WORKER_SHUTDOWN_GRACE_SECONDS": "1",
            "LOG_LEVEL": "notice",
        ]
    }

    /// Worker settings for tests: short intervals so tests wait on database state.
    static func workerConfiguration(
        concurrency: Int = 8,
        lease: Duration = .seconds(5),
        shutdownGrace: Duration = .seconds(5),
        retryFloor: Duration = .milliseconds(50)
    ) -> WorkerConfiguration {
        WorkerConfiguration(
            concurrency: concurrency,
            lease: lease,
            pollInterval: .milliseconds(100),
            shutdownGrace: shutdownGrace,
            retryPolicy: RetryPolicy(floor: retryFloor, base: retryFloor, cap: .seconds(1), rateLimitMultiplier: 2)
        )
    }

    /// The Kakao provider as the attempts and the enqueues serve it.
    var configuredProvider: ConfiguredProvider { attempts.configuredProvider }

    /// Runs a worker around `body`, then shuts it down gracefully.
    func withWorker<T: Sendable>(
        _ configuration: WorkerConfiguration = QueueHarness.workerConfiguration(),
        provider: (any LoginProvider)? = nil,
        _ body: () async throws -> T
    ) async throws -> T {
        try await withWorker(configuration, providers: [provider ?? self.provider], body)
    }

    /// Runs a worker of `providers` around `body`, then shuts it down gracefully.
    func withWorker<T: Sendable>(
        _ configuration: WorkerConfiguration,
        providers: [any LoginProvider],
        _ body: () async throws -> T
    ) async throws -> T {
        let worker = LoginWorker(
            pool: pool,
            listenerConfiguration: database,
            providers: providers,
            sealing: sealing,
            accounts: UserAccounts(),
            configuration: configuration,
            logger: logger
        )
        return try await withServiceGroup([worker], logger: logger, body)
    }

    /// Starts an attempt and has the emulator mint a code for it as if `userID` consented to
    /// `scope`: the code carries the attempt's PKCE challenge and nonce.
    func startAndMintCode(
        userID: Int64? = nil,
        redirectURI: String? = nil,
        nonce: String? = nil,
        scope: String = "openid"
    ) async throws -> (StartedAttempt, String) {
        let attempt = try await attempts.start(redirectURI: redirectURI, clientKey: nil)
        let query = try #require(URLComponents(string: attempt.authorizeURL)?.queryItems)
        let value = { (name: String) in query.first { $0.name == name }?.value }
        let code = try emulator.mintCode(
            redirectURI: value("redirect_uri"),
            userID: userID,
            scope: scope,
            codeChallenge: value("code_challenge"),
            nonce: nonce ?? value("nonce")
        )
        return (attempt, code)
    }

    /// Starts, mints and enqueues one login.
    func enqueueLogin(userID: Int64? = nil, scope: String = "openid") async throws -> (StartedAttempt, EnqueuedLogin) {
        let (attempt, code) = try await startAndMintCode(userID: userID, scope: scope)
        let enqueued = try await jobs.enqueue(
            code: code,
            redirectURI: nil,
            reader: .attempt(attempt.reader, state: attempt.state),
            provider: configuredProvider
        )
        return (attempt, enqueued)
    }

    /// Waits until the login is no longer pending and returns what its attempt reads.
    func waitForResult(_ loginID: UUID, reader: ReaderToken, limit: Duration = .seconds(60)) async throws -> LoginStatus {
        var result: LoginStatus?
        try await waitUntil("login \(loginID) finished", limit: limit) {
            guard let status = try await jobs.read(loginID: loginID, readerToken: reader) else { return false }
            if case .pending = status { return false }
            result = status
            return true
        }
        return try #require(result)
    }

    /// Waits until an attempt of the login failed at the provider (its `provider_error` is set).
    func waitForProviderError(_ loginID: UUID) async throws {
        try await waitUntil("an attempt of \(loginID) failed at the provider") {
            try await job(loginID, "provider_error", as: String?.self) != nil
        }
    }

    /// One column of one job.
    func job<T: PostgresDecodable>(_ loginID: UUID, _ column: String, as type: T.Type) async throws -> T {
        try await pool.query("SELECT * FROM login_jobs WHERE login_id = \(loginID)").single().decode(type, column)
    }

    /// Sets the emulator's faults.
    func faults(_ faults: KakaoEmulatorFaults) throws {
        try emulator.setFaults(faults)
    }
}

extension LoginStatus {
    var failureCode: LoginFailureCode? {
        if case .failed(let code, _, _) = self { return code }
        return nil
    }

    var success: LoginSuccess? {
        if case .succeeded(let success) = self { return success }
        return nil
    }
}

extension StartedAttempt {
    /// The attempt's token as its reader presents it.
    var reader: ReaderToken { ReaderToken(attemptToken) }
}

extension QueueHarness {
    /// Fills login_jobs with `count` failed jobs, then analyzes it: a table of finished jobs too
    /// big to scan whole, with statistics that say no job is queued or running.
    func fillWithFinishedJobs(_ count: Int = 3000) async throws {
        try await pool.execute(
            """
            INSERT INTO login_jobs (login_id, provider, redirect_uri, binding_hash, code_hmac, state, failure_code, finished_at, deadline_at)
            SELECT gen_random_uuid(), \(configuredProvider.name), \(Self.redirectURI),
                   sha256(('b' || g)::bytea), sha256(('c' || g)::bytea), 'failed', 'login_expired', now(), now() + interval '2 minutes'
            FROM generate_series(1, \(count)) AS g
            """
        )
        try await pool.execute("ANALYZE login_jobs")
    }

    /// The plan PostgreSQL keeps for each statement when prepared, whatever its values (its
    /// generic plan), as `EXPLAIN` prints it.
    func genericPlans(_ statements: [SQLQuery]) async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.execute("SET plan_cache_mode = force_generic_plan")
            var plans: [String] = []
            for statement in statements {
                let explain = SQLQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds)
                plans.append(try await connection.query(explain).map { try $0.decode(String.self, "QUERY PLAN") }.joined(separator: "\n"))
            }
            try await connection.execute("RESET plan_cache_mode")
            return plans
        }
    }
}
