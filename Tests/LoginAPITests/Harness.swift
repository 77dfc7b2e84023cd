import Accounts
import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import KakaoAPI
import KakaoEmulator
import Logging
import LoginAPI
import LoginQueue
import Metrics
import NIOCore
import NIOHTTP1
import OAuthClientSupport
import Postgres
import ServiceLifecycle
import TestSupport
import Testing

/// One API under test, over real sockets: its own database (cloned from the migrated
/// template), the Kakao emulator, the app on an ephemeral port, and (unless asked otherwise) a
/// `LoginWorker` completing the jobs.
struct Harness: Sendable {
    static let redirectURI = "http://127.0.0.1:8080/auth/kakao/callback"
    /// The emulator's first app, whose native-app tokens the API takes (`KAKAO_APP_ID`,
    /// `KAKAO_NATIVE_APP_KEY`).
    static let appID = KakaoEmulatorConfiguration.App().appID
    static let nativeAppKey = KakaoEmulatorConfiguration.App().nativeAppKey ?? ""

    let baseURL: String
    let emulator: KakaoEmulator
    /// Where the emulator listens.
    let emulatorURL: String
    let pool: PostgresPool
    let database: PostgresConfiguration
    let accessTokens: AccessTokenKeys
    let workerFactory: @Sendable () -> LoginWorker

    /// Options a test changes.
    struct Options: Sendable {
        var api = LoginAPIConfiguration()
        var deliveryWindow: Duration = .seconds(60)
        var refreshReuseGrace: Duration = .seconds(10)
        /// Run a worker for the whole test.
        var worker = true
        /// Point the API's pool and listener at a socket where no server listens.
        var deadDatabase = false
        var metricsFactory: (any MetricsFactory)?
        var metricsExposition: (@Sendable () -> String)?
        /// A listener of its own for `/metrics`, `/readyz` and `/healthz`.
        var operations: ApplicationConfiguration?
        /// Native-app logins on (`KAKAO_APP_ID` of the emulator's first app).
        var appTokens = true
        /// The Kakao emulator's apps and users (its per-user rate limit off).
        var emulator = KakaoEmulatorConfiguration(rateLimit: .init(enabled: false))

        init(worker: Bool = true) {
            self.worker = worker
        }
    }

    static func run(_ options: Options = Options(), _ body: @Sendable (Harness) async throws -> Void) async throws {
        let logger = TestEnvironment.logger
        let suite = "api_" + UUID().uuidString.prefix(8).lowercased()
        let database = try await TestDatabase.shared.configuration(for: suite, fromTemplate: true)
        let emulator = try KakaoEmulator(configuration: options.emulator, logger: logger)
        try await emulator.withRunningServer { emulatorURL in
            let kakao = try KakaoClientConfiguration(
                restAPIKey: "emulator-rest-api-key",
                adminKey: "emulator-admin-key",
                authURL: emulatorURL,
                apiURL: emulatorURL,
                additionalIDTokenAudiences: [nativeAppKey],
                maxConnectionsPerHost: 16
            )
            let httpClient = kakao.makeHTTPClient()
            do {
                // Native-app logins on, for the emulator's first app (its SDK tokens).
                let provider = KakaoLoginProvider(
                    client: KakaoClient(configuration: kakao, httpClient: httpClient, logger: logger),
                    appID: options.appTokens ? appID : nil
                )
                try await runAPI(options, database: database, provider: provider, emulator: emulator, emulatorURL: emulatorURL, body)
                await httpClient.shutdown()
            } catch {
                await httpClient.shutdown()
                throw error
            }
        }
    }

    /// The API (and the worker) on `database`, with Kakao behind `provider`.
    private static func runAPI(
        _ options: Options,
        database: PostgresConfiguration,
        provider: KakaoLoginProvider,
        emulator: KakaoEmulator,
        emulatorURL: String,
        _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        let logger = TestEnvironment.logger
        let apiDatabase =
            options.deadDatabase
            ? PostgresConfiguration(connectionString: "host=/nonexistent/kakao-login user=nobody dbname=none", connectTimeout: .seconds(2))
            : database
        let parts = try await APIParts.make(database: apiDatabase, provider: provider, options: options)
        let (pool, sealing, accessTokens, dependencies) = (parts.pool, parts.sealing, parts.accessTokens, parts.dependencies)
        var app = APIApplication.build(
            configuration: options.api,
            dependencies: dependencies,
            server: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            operations: options.operations,
            logger: logger
        )
        app.addServices(pool)
        let workerFactory: @Sendable () -> LoginWorker = {
            LoginWorker(
                pool: pool,
                listenerConfiguration: database,
                providers: [provider],
                sealing: sealing,
                accounts: UserAccounts(),
                configuration: WorkerConfiguration(
                    concurrency: 8,
                    lease: .seconds(10),
                    pollInterval: .milliseconds(200),
                    shutdownGrace: .seconds(2)
                ),
                logger: logger
            )
        }
        try await app.test(.live) { client in
            let harness = Harness(
                baseURL: "http://127.0.0.1:\(client.port!)",
                emulator: emulator,
                emulatorURL: emulatorURL,
                pool: pool,
                database: database,
                accessTokens: accessTokens,
                workerFactory: workerFactory
            )
            if options.worker {
                try await harness.withWorker { try await body(harness) }
            } else {
                try await body(harness)
            }
        }
    }

    /// Runs a worker on the test's database for the duration of `body`.
    func withWorker<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withServiceGroup([workerFactory()], body)
    }

    // MARK: - HTTP

    /// Sends a request; `json` is the body (sent as `application/json` unless `contentType`
    /// says otherwise).
    func send(
        _ method: HTTPMethod,
        _ path: String,
        on base: String? = nil,
        headers: [(String, String)] = [],
        body: String? = nil,
        contentType: String? = "application/json"
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: (base ?? baseURL) + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    // MARK: - the login flow

    /// `POST /auth/kakao/start` with `body`, and what the test needs of its answer.
    func start(headers: [(String, String)] = [], body: String = "{}") async throws -> Attempt {
        let answer = try await send(.POST, "/auth/kakao/start", headers: headers, body: body)
        try #require(answer.status == 200, "start answered \(answer.status): \(answer.body)")
        let json = try answer.object()
        let authorizeURL = try #require(json["authorize_url"] as? String)
        let authorize = try #require(URLComponents(string: authorizeURL))
        let query = Dictionary(uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let cookie = try #require(answer.headers["Set-Cookie"].first)
        return Attempt(
            authorizeURL: authorizeURL,
            token: try #require(json["attempt_token"] as? String),
            state: try #require(json["state"] as? String),
            setCookie: cookie,
            codeChallenge: try #require(query["code_challenge"]),
            nonce: try #require(query["nonce"]),
            redirectURI: try #require(query["redirect_uri"]),
            scope: query["scope"]
        )
    }

    /// A code for `attempt` as if `userID` consented at the emulator.
    func code(for attempt: Attempt, userID: Int64? = nil) throws -> String {
        try emulator.mintCode(
            redirectURI: attempt.redirectURI,
            userID: userID,
            scope: attempt.scope,
            codeChallenge: attempt.codeChallenge,
            nonce: attempt.nonce
        )
    }

    /// `POST /auth/kakao/login` presenting `attempt` in the `X-Login-Attempt` header.
    func postCode(_ code: String, attempt: Attempt, headers: [(String, String)] = []) async throws -> Answer {
        try await send(
            .POST,
            "/auth/kakao/login",
            headers: [("X-Login-Attempt", attempt.token)] + headers,
            body: #"{"code": "\#(code)", "state": "\#(attempt.state)"}"#
        )
    }

    /// `GET /auth/kakao/login/{id}?wait=N` with `headers` (the reader).
    func poll(_ loginID: String, wait: Int = 0, headers: [(String, String)]) async throws -> Answer {
        try await send(.GET, "/auth/kakao/login/\(loginID)?wait=\(wait)", headers: headers)
    }

    /// `GET /me` with the access token of `login` (a succeeded answer of ``logIn(userID:headers:)``).
    func me(of login: [String: Any]) async throws -> Answer {
        try await send(.GET, "/me", headers: [("Authorization", "Bearer \(try #require(login["access_token"] as? String))")])
    }

    /// Start, consent, post, long-poll until done (the polls with `headers` too): the
    /// succeeded answer's JSON.
    func logIn(userID: Int64? = nil, headers: [(String, String)] = []) async throws -> [String: Any] {
        let (attempt, loginID) = try await post(userID: userID, start: try await start())
        return try await pollUntilDone(loginID, headers: [("X-Login-Attempt", attempt.token)] + headers)
    }

    /// A link of `userID`'s Kakao identity to the user of `bearer`: start with `"link": true`,
    /// consent, post, long-poll until done; the final answer, whatever its status.
    func link(userID: Int64, bearer: String) async throws -> Answer {
        let started = try await start(headers: [("Authorization", "Bearer \(bearer)")], body: #"{"link": true}"#)
        let (attempt, loginID) = try await post(userID: userID, start: started)
        return try await finalAnswer(loginID, headers: [("X-Login-Attempt", attempt.token)])
    }

    /// Consents as `userID` and posts the code for `attempt`: the attempt and its `login_id`.
    private func post(userID: Int64?, start attempt: Attempt) async throws -> (Attempt, String) {
        let posted = try await postCode(try code(for: attempt, userID: userID), attempt: attempt)
        try #require(posted.status == 202, "login answered \(posted.status): \(posted.body)")
        return (attempt, try #require(try posted.object()["login_id"] as? String))
    }

    /// Long-polls until the login is no longer pending (a safety limit, not a timing assertion);
    /// the answer must be `200`.
    func pollUntilDone(_ loginID: String, headers: [(String, String)]) async throws -> [String: Any] {
        let answer = try await finalAnswer(loginID, headers: headers)
        try #require(answer.status == 200, "poll answered \(answer.status): \(answer.body)")
        return try answer.object()
    }

    /// Long-polls until the login is no longer pending: the first answer that is not `pending`,
    /// whatever its status.
    func finalAnswer(_ loginID: String, headers: [(String, String)]) async throws -> Answer {
        for _ in 0..<10 {
            let answer = try await poll(loginID, wait: 25, headers: headers)
            if try answer.status != 200 || answer.object()["status"] as? String != "pending" { return answer }
        }
        throw TestSupportError("the login stayed pending")
    }

    // MARK: - the database

    /// Rows of every table a request could write.
    func rowCounts() async throws -> RowCounts {
        let row = try await pool.query(
            """
            SELECT (SELECT count(*) FROM login_attempts) AS attempts, (SELECT count(*) FROM login_jobs) AS jobs,
                   (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions,
                   (SELECT count(*) FROM refresh_tokens) AS refresh_tokens,
                   (SELECT count(*) FROM login_attempts WHERE used_at IS NOT NULL) AS used_attempts,
                   (SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL) AS revoked_sessions
            """
        ).single()
        return RowCounts(
            attempts: try row.decode(Int.self, "attempts"),
            jobs: try row.decode(Int.self, "jobs"),
            users: try row.decode(Int.self, "users"),
            sessions: try row.decode(Int.self, "sessions"),
            refreshTokens: try row.decode(Int.self, "refresh_tokens"),
            usedAttempts: try row.decode(Int.self, "used_attempts"),
            revokedSessions: try row.decode(Int.self, "revoked_sessions")
        )
    }
}

/// What `POST /auth/kakao/start` gave the client.
struct Attempt: Sendable {
    /// Where the browser goes to consent.
    let authorizeURL: String
    let token: String
    let state: String
    /// The `Set-Cookie` value.
    let setCookie: String
    let codeChallenge: String
    let nonce: String
    let redirectURI: String
    /// The consent items asked (`openid` for an ID token).
    let scope: String?

    /// `Cookie: <the attempt cookie>=…`, as a browser sends it back.
    var cookieHeader: (String, String) {
        ("Cookie", String(setCookie.prefix { $0 != ";" }))
    }
}

/// An HTTP answer.
struct Answer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    /// The body as a JSON object.
    func object() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(body)")
    }

    /// `error.code` of an error envelope.
    func errorCode() throws -> String? {
        (try object()["error"] as? [String: Any])?["code"] as? String
    }
}

/// Row counts of the tables requests write.
struct RowCounts: Equatable, Sendable {
    var attempts: Int
    var jobs: Int
    var users: Int
    var sessions: Int
    var refreshTokens: Int
    var usedAttempts: Int
    var revokedSessions: Int
}

/// What the API is built from, made as the executable makes it: a pool on `database` (not run
/// yet: nothing connects), sealing and signing keys, and the dependencies over them.
struct APIParts {
    let pool: PostgresPool
    let sealing: SealingKeys
    let accessTokens: AccessTokenKeys
    let dependencies: LoginAPIDependencies

    static func make(database: PostgresConfiguration, provider: KakaoLoginProvider, options: Harness.Options) async throws -> APIParts {
        let logger = TestEnvironment.logger
        let sealing = SealingKeys.random()
        let accessTokens = try await AccessTokenKeys(
            keys: [(kid: "test-1", key: ES256PrivateKey())],
            signingKID: nil,
            issuer: "kakao-login",
            audience: "kakao-login"
        )
        let queue = LoginQueueConfiguration(deliveryWindow: options.deliveryWindow)
        let pool = PostgresPool(
            configuration: database,
            options: .init(maximumConnections: 4, acquireTimeout: .seconds(5)),
            logger: logger
        )
        let sessions = Sessions(
            pool: pool,
            configuration: try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256), reuseGrace: options.refreshReuseGrace),
            accessTokens: accessTokens,
            logger: logger
        )
        let dependencies = LoginAPIDependencies(
            pool: pool,
            listenerConfiguration: database,
            attempts: [
                LoginAttempts(
                    pool: pool,
                    sealing: sealing,
                    provider: ConfiguredProvider(provider: provider, route: "kakao", redirectURIs: [Harness.redirectURI]),
                    configuration: queue,
                    logger: logger
                )
            ],
            jobs: APILoginJobs(
                pool: pool,
                sealing: sealing,
                configuration: queue,
                sessions: sessions,
                logger: logger
            ),
            sessions: sessions,
            identities: UserIdentities(pool: pool, logger: logger),
            userSessions: UserSessions(pool: pool, logger: logger),
            deletions: APIAccountDeletions(pool: pool, configuration: queue, logger: logger),
            metricsFactory: options.metricsFactory,
            metricsExposition: options.metricsExposition
        )
        return APIParts(pool: pool, sealing: sealing, accessTokens: accessTokens, dependencies: dependencies)
    }
}
