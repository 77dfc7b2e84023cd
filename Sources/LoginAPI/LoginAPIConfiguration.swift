/// How the HTTP API behaves. Every default is documented on its property; the executable maps
/// the settings of DESIGN.md onto it.
public struct LoginAPIConfiguration: Sendable {
    /// Requests per minute per client address, each a token bucket of that size.
    public struct RateLimits: Sendable {
        /// `POST /auth/{provider}/start` (`LOGIN_RATE_LIMIT_START`, default 60).
        public var start: Int
        /// `POST /auth/{provider}/login` (`LOGIN_RATE_LIMIT_LOGIN`, default 60).
        public var login: Int
        /// `GET /auth/{provider}/login/{login_id}` (`LOGIN_RATE_LIMIT_POLL`, default 600).
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

    /// The attempt cookie: `HttpOnly`, `Max-Age` the attempt's lifetime, and — unless every
    /// redirect URI of the deployment is loopback — `Secure` with a name prefix browsers enforce:
    /// `__Host-login_attempt` (`Path=/`, this host only), or `__Secure-login_attempt` when a
    /// cookie domain is configured (`Path=/auth`). On an all-loopback deployment (`dev`, tests)
    /// it is plain `login_attempt` (`Path=/auth`) without `Secure`. The choice is made from the
    /// configuration, never from a request's `Host`, which a reverse proxy rewrites.
    public struct AttemptCookie: Sendable {
        /// `Lax` (default), `Strict` or `None` (`LOGIN_COOKIE_SAMESITE`). `None` always adds `Secure`.
        public var sameSite: String
        /// `Domain`, when set (`LOGIN_COOKIE_DOMAIN`); default none (this host only).
        public var domain: String?
        /// `Secure` (default); false only when every configured redirect URI is loopback.
        public var secure: Bool

        public init(sameSite: String = "Lax", domain: String? = nil, secure: Bool = true) {
            self.sameSite = sameSite
            self.domain = domain
            self.secure = secure
        }
    }

    /// Bounds on clients: how they are keyed, and what one of them (or all of them) may hold.
    public struct ClientLimits: Sendable {
        /// Leading bits of an IPv6 address that name one client for rate limits and caps
        /// (`LOGIN_IPV6_CLIENT_PREFIX`, default 64: a subscriber's usual allocation).
        public var ipv6PrefixLength: Int
        /// Unused attempts of all clients together; above it `POST …/start` is `503 queue_full`
        /// (`LOGIN_MAX_PENDING_ATTEMPTS`, default 100,000).
        public var maxPendingAttempts: Int
        /// Long-polls of one client waiting at once; more are answered at once
        /// (`LOGIN_MAX_POLLS_PER_CLIENT`, default 64).
        public var maxPollsPerClient: Int
        /// Long-polls of one login waiting at once; more are answered at once
        /// (`LOGIN_MAX_POLLS_PER_LOGIN`, default 3: a tab, and a retry after a dropped connection).
        public var maxPollsPerLogin: Int

        public init(ipv6PrefixLength: Int = 64, maxPendingAttempts: Int = 100_000, maxPollsPerClient: Int = 64, maxPollsPerLogin: Int = 3) {
            self.ipv6PrefixLength = ipv6PrefixLength
            self.maxPendingAttempts = maxPendingAttempts
            self.maxPollsPerClient = maxPollsPerClient
            self.maxPollsPerLogin = maxPollsPerLogin
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
    public var clientLimits: ClientLimits
    /// Serve the demo pages (`/`, `/auth/{provider}/callback`, `/demo/…`) (`LOGIN_DEMO_PAGE`, default
    /// false; `kakao-login dev` turns it on).
    public var demoPage: Bool
    /// Serve `/metrics` and `/readyz` on the public listener (default true; off when
    /// ``APIApplication/build(configuration:dependencies:server:operations:logger:onServerRunning:)``
    /// is given a listener of their own, `LOGIN_OPS_PORT`). `/healthz` stays on both.
    public var operationsOnPublicListener: Bool
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
    /// Kakao's unlink callback, `/hooks/kakao/unlink` (`KAKAO_UNLINK_CALLBACK=true`); nil: off (404).
    public var kakaoUnlinkHook: KakaoUnlinkHook?

    /// What the unlink callback checks and whose identities it unlinks.
    public struct KakaoUnlinkHook: Sendable {
        /// The app's admin key (`KAKAO_ADMIN_KEY`): Kakao sends it as `Authorization: KakaoAK <key>`.
        public var adminKey: String
        /// The stored provider name of the Kakao identities (`kakao`, or `kakao_emulator`).
        public var provider: String

        public init(adminKey: String, provider: String) {
            self.adminKey = adminKey
            self.provider = provider
        }
    }

    public init(
        requireState: Bool = true,
        corsAllowedOrigins: [String] = [],
        attemptCookie: AttemptCookie = AttemptCookie(),
        trustedProxies: [IPNetwork] = [],
        rateLimits: RateLimits = RateLimits(),
        clientLimits: ClientLimits = ClientLimits(),
        demoPage: Bool = false,
        operationsOnPublicListener: Bool = true,
        queueMaxDepth: Int = 10_000,
        queueDepthCacheDuration: Duration = .milliseconds(250),
        maxBodyBytes: Int = 16 * 1024,
        pollRecheckInterval: Duration = .seconds(2),
        readinessTimeout: Duration = .seconds(1),
        kakaoUnlinkHook: KakaoUnlinkHook? = nil
    ) {
        self.requireState = requireState
        self.corsAllowedOrigins = corsAllowedOrigins
        self.attemptCookie = attemptCookie
        self.trustedProxies = trustedProxies
        self.rateLimits = rateLimits
        self.clientLimits = clientLimits
        self.demoPage = demoPage
        self.operationsOnPublicListener = operationsOnPublicListener
        self.queueMaxDepth = queueMaxDepth
        self.queueDepthCacheDuration = queueDepthCacheDuration
        self.maxBodyBytes = maxBodyBytes
        self.pollRecheckInterval = pollRecheckInterval
        self.readinessTimeout = readinessTimeout
        self.kakaoUnlinkHook = kakaoUnlinkHook
    }

    /// The longest `wait` a poll may ask for, in seconds (the contract's 30).
    public static let maximumWaitSeconds = 30
}
