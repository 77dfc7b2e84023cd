import Accounts
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Postgres

/// Builds the HTTP API: the router with its middleware and controllers, and the
/// `login_done` listener as a service of the application (started before the server, stopped
/// after it).
///
/// ```swift
/// let app = APIApplication.build(
///     configuration: LoginAPIConfiguration(corsAllowedOrigins: ["https://app.example"]),
///     dependencies: dependencies,
///     server: ApplicationConfiguration(address: .hostname("0.0.0.0", port: 8080)),
///     logger: logger)
/// let group = ServiceGroup(services: [pool, kakaoHTTPClient, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
///
/// Middleware, outermost first: request id and log line, request metrics, CORS, errors,
/// client address; then per route group `Cache-Control: no-store` (all of `/auth` and `/me`),
/// the rate limit, the `Origin` check (start and login), and the JSON body rules (POSTs).
public enum APIApplication {
    public typealias App = Application<RouterResponder<APIRequestContext>>

    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public static func build(
        configuration: LoginAPIConfiguration,
        dependencies: LoginAPIDependencies,
        server: ApplicationConfiguration,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> App {
        let waiters = LoginWaiters()
        let (router, _) = buildRouter(configuration: configuration, dependencies: dependencies, waiters: waiters)
        let listener = LoginDoneListener(
            configuration: dependencies.listenerConfiguration,
            waiters: waiters,
            logger: logger
        )
        return Application(
            router: router,
            configuration: server,
            services: [listener],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// The router, and the routes it answers (without the `405` answers to other methods on
    /// the same paths), which `openapi.yaml` must document.
    static func buildRouter(
        configuration: LoginAPIConfiguration,
        dependencies: LoginAPIDependencies,
        waiters: LoginWaiters
    ) -> (Router<APIRequestContext>, RouteTable) {
        let metrics = APIMetrics(factory: dependencies.metricsFactory)
        let origins = AllowedOrigins(configuration.corsAllowedOrigins)
        let limits = configuration.rateLimits
        let jsonBody = JSONBodyMiddleware(maxBytes: configuration.maxBodyBytes)
        let originCheck = OriginCheckMiddleware(allowed: origins)
        func limit(_ name: String, _ perMinute: Int) -> RateLimitMiddleware {
            RateLimitMiddleware(limiter: TokenBucketLimiter(perMinute: perMinute), name: name)
        }

        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: CORSMiddleware(allowed: origins))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: ClientIPMiddleware(resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies)))

        let login = LoginController(
            attempts: dependencies.attempts,
            jobs: dependencies.jobs,
            waiters: waiters,
            queueGate: QueueDepthGate(maximumDepth: configuration.queueMaxDepth, cacheDuration: configuration.queueDepthCacheDuration),
            binding: AttemptBinding(settings: configuration.attemptCookie),
            requireState: configuration.requireState,
            pollRecheckInterval: configuration.pollRecheckInterval,
            metrics: metrics
        )
        let tokens = TokenController(sessions: dependencies.sessions)
        let users = UserController(sessions: dependencies.sessions)
        let operations = OperationsController(
            pool: dependencies.pool,
            waiters: waiters,
            accessTokens: dependencies.sessions.accessTokens,
            readinessTimeout: configuration.readinessTimeout,
            metricsExposition: dependencies.metricsExposition
        )
        let demo = DemoController()

        var routes = RouteTable()
        let noStore = router.group().add(middleware: NoStoreMiddleware())
            .add(middleware: DatabaseExecutorMiddleware(executor: dependencies.pool.taskExecutor))
        routes.post(
            "/auth/kakao/start",
            on: noStore.group().add(middleware: limit("start", limits.start)).add(middleware: originCheck).add(middleware: jsonBody),
            use: login.start
        )
        routes.post(
            "/auth/kakao/login",
            on: noStore.group().add(middleware: limit("login", limits.login)).add(middleware: originCheck).add(middleware: jsonBody),
            use: login.login
        )
        routes.get("/auth/kakao/login/:login_id", on: noStore.group().add(middleware: limit("poll", limits.poll)), use: login.poll)
        let refreshLimited = noStore.group().add(middleware: limit("refresh", limits.refresh)).add(middleware: jsonBody)
        routes.post("/auth/token/refresh", on: refreshLimited, use: tokens.refresh)
        routes.post("/auth/logout", on: refreshLimited, use: tokens.logout)
        routes.get("/me", on: noStore, use: users.me)
        routes.get("/auth/kakao/callback", on: router.group(), use: demo.callbackPage)
        routes.get("/", on: router.group(), use: demo.startPage)
        routes.get("/demo/:asset", on: router.group(), use: demo.asset)
        routes.get("/openapi.yaml", on: router.group(), use: demo.openAPIDocument)
        routes.get("/.well-known/jwks.json", on: router.group(), use: operations.jwks)
        routes.get("/healthz", on: router.group(), use: operations.health)
        routes.get("/readyz", on: router.group(), use: operations.readiness)
        routes.get("/metrics", on: router.group(), use: operations.metrics)
        routes.answerOtherMethods(on: router.group())
        return (router, routes)
    }
}
