import Foundation
import Logging
import LoginAPI

/// Every setting of DESIGN.md and the operational knobs around them, read once at start.
///
/// Secrets (`DATABASE_URL`, `DATABASE_LISTEN_URL`, `KAKAO_CLIENT_SECRET`, `KAKAO_ADMIN_KEY`, `GOOGLE_CLIENT_SECRET`,
/// `LOGIN_SEALING_KEYS`) come only from the environment or a `_FILE`; every other setting may
/// also be given as a flag.
struct Settings {
    enum LogFormat: String { case text, json }
    /// What stands between the pooled connections and PostgreSQL (`DATABASE_POOLER`).
    enum DatabasePooler: String {
        /// PostgreSQL itself, or a pooler in session mode: prepared statements and session settings.
        case none
        /// PgBouncer in transaction mode: unnamed statements only, no `options` at connect.
        case pgbouncerTransaction = "pgbouncer-transaction"
    }

    // Database
    var databaseURL: String?
    /// Where the LISTEN connections go (`DATABASE_LISTEN_URL`); `nil` means `DATABASE_URL`.
    var databaseListenURL: String?
    var databasePoolSize: Int?
    var databasePooler: DatabasePooler

    // Kakao
    var kakaoRestAPIKey: String?
    var kakaoClientSecret: String?
    var kakaoAdminKey: String?
    var kakaoRedirectURIs: [String]
    var kakaoAuthURL: URL?
    var kakaoAPIURL: URL?
    var kakaoScopes: [String]
    var kakaoUnlinkCallback: Bool
    /// The app's numeric id: native-app token logins (`POST /auth/kakao/token`) are on when set.
    var kakaoAppID: Int64?
    /// The native app key, also accepted as the `aud` of an id_token.
    var kakaoNativeAppKey: String?
    var allowEmulator: Bool

    // Google (sign-in is on when the client id is set)
    var googleClientID: String?
    var googleClientSecret: String?
    var googleRedirectURIs: [String]
    var googleIssuerURL: URL?

    // Secrets at rest and app tokens
    var sealingKeySpecification: String?
    var jwtKeysFolder: String?
    var jwtSigningKID: String?
    var jwtIssuer: String
    var jwtAudience: String

    // API
    var host: String
    var port: Int
    var requireState: Bool
    var corsAllowedOrigins: [String]
    var cookieSameSite: String
    var cookieDomain: String?
    var queueMaxDepth: Int
    var trustedProxies: [String]
    var maxPendingAttemptsPerIP: Int
    var maxPendingAttempts: Int
    var ipv6ClientPrefix: Int
    var maxPollsPerClient: Int
    var maxPollsPerLogin: Int
    var demoPage: Bool
    var opsPort: Int?
    var rateLimitPerMinute: (start: Int, login: Int, poll: Int, refresh: Int)
    var jobDeadline: Duration
    var deletionDeadline: Duration

    // Worker
    var leaseDuration: Duration
    var heartbeatInterval: Duration
    var pollInterval: Duration
    var retryFloor: Duration
    var shutdownGrace: Duration
    var retention: Duration
    var auditRetention: Duration

    // Process
    var eventLoopThreads: Int

    // Logging
    var logLevel: Logger.Level
    var logFormat: LogFormat

    // Tracing (OpenTelemetry): on when the endpoint is set
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the OTLP/HTTP collector's base URL (spans go to `/v1/traces`).
    var otlpEndpoint: URL?
    /// `OTEL_SERVICE_NAME`, default `kakao-login`.
    var otelServiceName: String

    /// Reads and validates everything; the problems are every setting that is wrong.
    static func load(environment: [String: String], flags: [String: String] = [:]) -> (Settings, [SettingsReader.Problem]) {
        var reader = SettingsReader(environment: environment, flags: flags)
        let settings = Settings(reader: &reader)
        return (settings, reader.problems)
    }

    private init(reader r: inout SettingsReader) {
        databaseURL = r.secret("DATABASE_URL")
        databaseListenURL = r.secret("DATABASE_LISTEN_URL")
        let pooler = r.string("DATABASE_POOLER") ?? "none"
        databasePooler = DatabasePooler(rawValue: pooler.lowercased()) ?? .none
        if DatabasePooler(rawValue: pooler.lowercased()) == nil {
            r.problem("DATABASE_POOLER", "must be none or pgbouncer-transaction, got \(pooler.debugDescription)")
        }
        databasePoolSize = r.string("DATABASE_POOL_SIZE") == nil ? nil : r.int("DATABASE_POOL_SIZE", default: 10, range: 1...500)

        kakaoRestAPIKey = r.string("KAKAO_REST_API_KEY")
        kakaoClientSecret = r.secret("KAKAO_CLIENT_SECRET")
        kakaoAdminKey = r.secret("KAKAO_ADMIN_KEY")
        kakaoRedirectURIs = r.redirectURIs("KAKAO_REDIRECT_URIS")
        kakaoAuthURL = r.url("KAKAO_AUTH_URL", default: "https://kauth.kakao.com")
        kakaoAPIURL = r.url("KAKAO_API_URL", default: "https://kapi.kakao.com")
        // openid by default: Kakao then issues an id_token, which the worker requires and verifies.
        kakaoScopes = r.string("KAKAO_SCOPES") == nil ? ["openid"] : r.list("KAKAO_SCOPES")
        kakaoUnlinkCallback = r.bool("KAKAO_UNLINK_CALLBACK", default: false)
        let appID = r.int("KAKAO_APP_ID", default: 0, range: 1...Int.max)  // 0: unset (or refused)
        kakaoAppID = appID == 0 ? nil : Int64(appID)
        kakaoNativeAppKey = r.string("KAKAO_NATIVE_APP_KEY")
        allowEmulator = r.bool("LOGIN_ALLOW_EMULATOR", default: false)

        googleClientID = r.string("GOOGLE_CLIENT_ID")
        googleClientSecret = r.secret("GOOGLE_CLIENT_SECRET")
        googleRedirectURIs = r.redirectURIs("GOOGLE_REDIRECT_URIS")
        googleIssuerURL = r.url("GOOGLE_ISSUER_URL", default: "https://accounts.google.com", allowPath: true)

        sealingKeySpecification = r.secret("LOGIN_SEALING_KEYS")
        jwtKeysFolder = r.string("LOGIN_JWT_KEYS")
        if let jwtKeysFolder { r.checkPrivateKeyFiles(in: jwtKeysFolder, variable: "LOGIN_JWT_KEYS") }
        jwtSigningKID = r.string("LOGIN_JWT_SIGNING_KID")
        jwtIssuer = r.string("LOGIN_JWT_ISSUER") ?? "kakao-login"
        jwtAudience = r.string("LOGIN_JWT_AUDIENCE") ?? "kakao-login"

        host = r.string("HOST") ?? "0.0.0.0"
        port = r.int("PORT", default: 8080, range: 0...65535)
        requireState = r.bool("LOGIN_REQUIRE_STATE", default: true)
        corsAllowedOrigins = r.list("CORS_ALLOWED_ORIGINS")
        for origin in corsAllowedOrigins {
            guard let url = URL(string: origin), url.scheme != nil, url.host != nil, url.path.isEmpty, url.query == nil else {
                r.problem("CORS_ALLOWED_ORIGINS", "\(origin.debugDescription) is not an origin (scheme://host[:port])")
                continue
            }
        }
        let sameSite = r.string("LOGIN_COOKIE_SAMESITE") ?? "Lax"
        cookieSameSite = ["lax": "Lax", "strict": "Strict", "none": "None"][sameSite.lowercased()] ?? "Lax"
        if !["lax", "strict", "none"].contains(sameSite.lowercased()) {
            r.problem("LOGIN_COOKIE_SAMESITE", "must be Lax, Strict or None, got \(sameSite.debugDescription)")
        }
        cookieDomain = r.string("LOGIN_COOKIE_DOMAIN")
        queueMaxDepth = r.int("LOGIN_QUEUE_MAX_DEPTH", default: 10_000, range: 1...10_000_000)
        trustedProxies = r.list("LOGIN_TRUSTED_PROXIES")
        for proxy in trustedProxies where IPNetwork(proxy) == nil {
            r.problem("LOGIN_TRUSTED_PROXIES", "\(proxy.debugDescription) is not an IP address or CIDR block")
        }
        maxPendingAttemptsPerIP = r.int("LOGIN_MAX_PENDING_ATTEMPTS_PER_IP", default: 30, range: 1...1_000_000)
        maxPendingAttempts = r.int("LOGIN_MAX_PENDING_ATTEMPTS", default: 100_000, range: 1...100_000_000)
        ipv6ClientPrefix = r.int("LOGIN_IPV6_CLIENT_PREFIX", default: 64, range: 32...128)
        maxPollsPerClient = r.int("LOGIN_MAX_POLLS_PER_CLIENT", default: 64, range: 1...100_000)
        maxPollsPerLogin = r.int("LOGIN_MAX_POLLS_PER_LOGIN", default: 3, range: 1...100)
        demoPage = r.bool("LOGIN_DEMO_PAGE", default: false)
        opsPort = r.string("LOGIN_OPS_PORT") == nil ? nil : r.int("LOGIN_OPS_PORT", default: 0, range: 0...65535)
        rateLimitPerMinute = (
            start: r.int("LOGIN_RATE_LIMIT_START", default: 60, range: 1...1_000_000),
            login: r.int("LOGIN_RATE_LIMIT_LOGIN", default: 60, range: 1...1_000_000),
            poll: r.int("LOGIN_RATE_LIMIT_POLL", default: 600, range: 1...1_000_000),
            refresh: r.int("LOGIN_RATE_LIMIT_REFRESH", default: 120, range: 1...1_000_000)
        )
        jobDeadline = r.seconds("LOGIN_JOB_DEADLINE_SECONDS", default: .seconds(120), range: 1...3600)
        deletionDeadline = r.seconds("ACCOUNT_DELETION_DEADLINE_SECONDS", default: .seconds(600), range: 1...86400)

        leaseDuration = r.seconds("LOGIN_WORKER_LEASE_SECONDS", default: .seconds(30), range: 0.5...3600)
        heartbeatInterval = r.seconds("LOGIN_WORKER_HEARTBEAT_SECONDS", default: leaseDuration / 3, range: 0.1...1200)
        if heartbeatInterval >= leaseDuration {
            r.problem("LOGIN_WORKER_HEARTBEAT_SECONDS", "must be shorter than the lease (LOGIN_WORKER_LEASE_SECONDS)")
        }
        pollInterval = r.seconds("LOGIN_WORKER_POLL_SECONDS", default: .seconds(1), range: 0.01...60)
        retryFloor = r.seconds("LOGIN_RETRY_FLOOR_SECONDS", default: .seconds(1), range: 0.01...60)
        shutdownGrace = r.seconds("LOGIN_WORKER_SHUTDOWN_GRACE_SECONDS", default: .seconds(20), range: 0...600)
        retention = r.seconds("LOGIN_RETENTION_SECONDS", default: .seconds(3600), range: 3600...(90 * 86400))
        auditRetention = .seconds(86400 * r.int("AUDIT_RETENTION_DAYS", default: 365, range: 1...3650))

        eventLoopThreads = r.int("EVENT_LOOP_THREADS", default: 1, range: ConcurrencyExecutor.eventLoopThreadsRange)

        let level = r.string("LOG_LEVEL") ?? "info"
        logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        if Logger.Level(rawValue: level.lowercased()) == nil {
            r.problem("LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        let format = r.string("LOG_FORMAT") ?? "text"
        logFormat = LogFormat(rawValue: format.lowercased()) ?? .text
        if LogFormat(rawValue: format.lowercased()) == nil { r.problem("LOG_FORMAT", "must be json or text") }

        otlpEndpoint = r.otlpEndpoint("OTEL_EXPORTER_OTLP_ENDPOINT")
        otelServiceName = r.string("OTEL_SERVICE_NAME") ?? "kakao-login"
        for variable in ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] {
            if let value = r.string(variable), value != "http/protobuf" {
                r.problem(variable, "must be http/protobuf (the only OTLP protocol this build exports), got \(value.debugDescription)")
            }
        }
    }
}
