/// How the HTTP API behaves. Every default is documented on its property; the executable maps
/// the settings of DESIGN.md onto it.
public struct LoginAPIConfiguration: Sendable {
    /// Requests per minute per client address, each a token bucket of that size.
    public struct RateLimits: Sendable {
        /// `POST /auth/kakao/start` (`LOGIN_RATE_LIMIT_START`, default 60).
        public var start: Int
        /// `POST /auth/kakao/login` (`LOGIN_RATE_LIMIT_LOGIN`, default 60).
        public var login: Int
        /// `GET /auth/kakao/login/{login_id}` (`LOGIN_RATE_LIMIT_POLL`, default 600).
        public var poll: Int
        /// `POST /auth/token/refresh` and `POST /auth/logout` (`LOGIN_RATE_LIMIT_REFRESH`, default 120).
        public var refresh: Int

        public init(start: Int = 60, login: Int = 60, poll: Int = 600, refresh: Int = 120) {
            self.start = start
            self.login = login
            self.poll = poll
            self.refresh = refresh
        }
    }

    /// The attempt cookie (`kakao_login_attempt`, `HttpOnly`, `Path=/auth/kakao`, `Max-Age` the
    /// attempt's lifetime, `Secure` unless the request's host is loopback).
    public struct AttemptCookie: Sendable {
        /// `Lax` (default), `Strict` or `None` (`LOGIN_COOKIE_SAMESITE`). `None` always adds `Secure`.
        public var sameSite: String
        /// `Domain`, when set (`LOGIN_COOKIE_DOMAIN`); default none (this host only).
        public var domain: String?

        public init(sameSite: String = "Lax", domain: String? = nil) {
            self.sameSite = sameSite
            self.domain = domain
        }
    }

    /// `false` allows the seed's code-only flow, answered with a `poll_token`
    /// (`LOGIN_REQUIRE_STATE`, default `true`).
    public var requireState: Bool
    /// Exact origins (`scheme://host[:port]`) allowed to call with credentials
    /// (`CORS_ALLOWED_ORIGINS`, default none).
    public var corsAllowedOrigins: [String]
    public var attemptCookie: AttemptCookie
    /// Proxies whose `X-Forwarded-For` is believed (`LOGIN_TRUSTED_PROXIES`, default none).
    public var trustedProxies: [IPNetwork]
    public var rateLimits: RateLimits
    /// At this many queued jobs new logins get `503 queue_full` (`LOGIN_QUEUE_MAX_DEPTH`,
    /// default 10,000).
    public var queueMaxDepth: Int
    /// How long one reading of the queue depth serves every request (default 250 ms).
    public var queueDepthCacheDuration: Duration
    /// Largest request body; larger is `413 payload_too_large` (default 16 KiB).
    public var maxBodyBytes: Int
    /// A waiting poll re-reads its login at least this often, even without a notification
    /// (default 2 s).
    public var pollRecheckInterval: Duration
    /// How long `/readyz` waits for the database (default 1 s).
    public var readinessTimeout: Duration

    public init(
        requireState: Bool = true,
        corsAllowedOrigins: [String] = [],
        attemptCookie: AttemptCookie = AttemptCookie(),
        trustedProxies: [IPNetwork] = [],
        rateLimits: RateLimits = RateLimits(),
        queueMaxDepth: Int = 10_000,
        queueDepthCacheDuration: Duration = .milliseconds(250),
        maxBodyBytes: Int = 16 * 1024,
        pollRecheckInterval: Duration = .seconds(2),
        readinessTimeout: Duration = .seconds(1)
    ) {
        self.requireState = requireState
        self.corsAllowedOrigins = corsAllowedOrigins
        self.attemptCookie = attemptCookie
        self.trustedProxies = trustedProxies
        self.rateLimits = rateLimits
        self.queueMaxDepth = queueMaxDepth
        self.queueDepthCacheDuration = queueDepthCacheDuration
        self.maxBodyBytes = maxBodyBytes
        self.pollRecheckInterval = pollRecheckInterval
        self.readinessTimeout = readinessTimeout
    }

    /// The longest `wait` a poll may ask for, in seconds (the contract's 30).
    public static let maximumWaitSeconds = 30
}
