import Accounts
import HTTPTypes
import Hummingbird
import Logging
import LoginQueue
import NIOCore
import Postgres
import ServiceLifecycle

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
/// Middleware, outermost first: the request span, request id and log line, request metrics, CORS, errors,
/// client address; then per route group `Cache-Control: no-store` (all of `/auth` and `/me`),
/// the rate limit, the `Origin` check (start and login), and the JSON body rules (POSTs).
public enum APIApplication {
    public typealias App = Application<RouterResponder<APIRequestContext>>

    /// - Parameters:
    ///   - operations: where `/metrics`, `/readyz` and `/healthz` listen when they are kept off the
    ///     public listener (`LOGIN_OPS_PORT`); nil serves them on `server` (unless
    ///     ``LoginAPIConfiguration/operationsOnPublicListener`` is false).
    ///   - onServerRunning: called with the bound port once the server listens.
    public static func build(
        configuration: LoginAPIConfiguration,
        dependencies: LoginAPIDependencies,
        server: ApplicationConfiguration,
        operations: ApplicationConfiguration? = nil,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> App {
        let waiters = LoginWaiters()
        var configuration = configuration
        if operations != nil { configuration.operationsOnPublicListener = false }
        let (router, _) = buildRouter(configuration: configuration, dependencies: dependencies, waiters: waiters)
        var services: [any Service] = [
            LoginDoneListener(configuration: dependencies.listenerConfiguration, waiters: waiters, logger: logger)
        ]
        if let operations {
            let controller = operationsController(configuration: configuration, dependencies: dependencies, waiters: waiters)
            let operationsRouter = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
            var routes = RouteTable()
            addOperationRoutes(controller, to: &routes, on: operationsRouter.group())
            routes.answerOtherMethods(on: operationsRouter.group())
            services.append(Application(router: operationsRouter, configuration: operations, logger: logger))
        }
        return Application(
            router: router,
            configuration: server,
            services: services,
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
        router.add(middleware: RequestSpanMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: CORSMiddleware(allowed: origins))
        router.add(middleware: ErrorMiddleware())
        router.add(
            middleware: ClientIPMiddleware(
                resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies),
                ipv6PrefixLength: configuration.clientLimits.ipv6PrefixLength
            )
        )

        let queueGate = CountGate(
            maximum: configuration.queueMaxDepth,
            cacheDuration: configuration.queueDepthCacheDuration,
            refusal: .unavailable(.queueFull, "Too many logins are waiting; nothing was changed. Try again shortly.", retryAfterSeconds: 5),
            count: { [jobs = dependencies.jobs] limit in try await jobs.queuedDepth(limit: limit) }
        )
        let attemptGate = CountGate(
            maximum: configuration.clientLimits.maxPendingAttempts,
            cacheDuration: configuration.queueDepthCacheDuration,
            refusal: .unavailable(
                .queueFull,
                "Too many logins are being started; nothing was changed. Try again shortly.",
                retryAfterSeconds: 5
            ),
            count: { [attempts = dependencies.attempts] limit in try await attempts.first?.pendingCount(limit: limit) ?? 0 }
        )
        let pollSlots = PollSlots(
            perClient: configuration.clientLimits.maxPollsPerClient,
            perLogin: configuration.clientLimits.maxPollsPerLogin
        )
        let providerNames = ProviderNames(dependencies.attempts.map(\.configuredProvider))
        let tokens = TokenController(sessions: dependencies.sessions)
        let users = UserController(
            sessions: dependencies.sessions,
            identities: dependencies.identities,
            providerNames: providerNames
        )
        let ownSessions = SessionController(
            sessions: dependencies.sessions,
            userSessions: dependencies.userSessions,
            providerNames: providerNames
        )
        let deletion = AccountDeletionController(sessions: dependencies.sessions, deletions: dependencies.deletions)
        let operations = operationsController(configuration: configuration, dependencies: dependencies, waiters: waiters)
        let documents = DemoController()
        let sdk = SDKController()

        var routes = RouteTable()
        let noStore = router.group().add(middleware: NoStoreMiddleware())
            .add(middleware: DatabaseExecutorMiddleware(executor: dependencies.pool.taskExecutor))
        let start = noStore.group().add(middleware: limit("start", limits.start)).add(middleware: originCheck).add(middleware: jsonBody)
        let post = noStore.group().add(middleware: limit("login", limits.login)).add(middleware: originCheck).add(middleware: jsonBody)
        let poll = noStore.group().add(middleware: limit("poll", limits.poll))
        let logins = ProviderLoginControllers(
            dependencies.attempts.map { attempts in
                LoginController(
                    attempts: attempts,
                    jobs: dependencies.jobs,
                    sessions: dependencies.sessions,
                    waiters: waiters,
                    queueGate: queueGate,
                    attemptGate: attemptGate,
                    pollSlots: pollSlots,
                    binding: AttemptBinding(settings: configuration.attemptCookie),
                    requireState: configuration.requireState,
                    pollRecheckInterval: configuration.pollRecheckInterval,
                    metrics: metrics
                )
            }
        )
        let appTokens = AppTokenLoginController(
            provider: dependencies.attempts.map(\.configuredProvider).first { $0.route == "kakao" && $0.provider.acceptsAppTokens },
            jobs: dependencies.jobs,
            queueGate: queueGate,
            metrics: metrics
        )
        // No cookie and no attempt: a native app's post needs no Origin check.
        let tokenPost = noStore.group().add(middleware: limit("login", limits.login)).add(middleware: jsonBody)
        routes.post("/auth/kakao/token", on: tokenPost, use: appTokens.login)
        routes.post("/auth/:provider/start", on: start, use: logins.start)
        routes.post("/auth/:provider/login", on: post, use: logins.login)
        routes.get("/auth/:provider/login/:login_id", on: poll, use: logins.poll)
        if configuration.demoPage {
            routes.get("/auth/:provider/callback", on: router.group()) { request, context in
                _ = try logins.controller(context)
                return try documents.callbackPage(request, context: context)
            }
        }
        routes.get("/auth/providers", on: router.group()) { _, _ in JSONBody.response(ProviderList(providers: providerNames.routes)) }
        let refreshLimited = noStore.group().add(middleware: limit("refresh", limits.refresh)).add(middleware: jsonBody)
        routes.post("/auth/token/refresh", on: refreshLimited, use: tokens.refresh)
        routes.post("/auth/logout", on: refreshLimited, use: tokens.logout)
        routes.post("/auth/logout-all", on: noStore, use: ownSessions.logoutAll)
        routes.get("/me", on: noStore, use: users.me)
        routes.delete("/me", on: noStore, use: deletion.delete)
        routes.get("/me/deletion/:deletion_id", on: noStore, use: deletion.status)
        routes.get("/me/identities", on: noStore, use: users.listIdentities)
        routes.delete("/me/identities/:provider", on: noStore, use: users.unlinkIdentity)
        routes.get("/me/sessions", on: noStore, use: ownSessions.list)
        routes.delete("/me/sessions/:session_id", on: noStore, use: ownSessions.revoke)
        if configuration.demoPage {
            routes.get("/", on: router.group(), use: documents.startPage)
            routes.get("/demo/:asset", on: router.group(), use: documents.asset)
        }
        if let hook = configuration.kakaoUnlinkHook {
            let unlinkHook = KakaoUnlinkHookController(hook: hook, identities: dependencies.identities)
            routes.get("/hooks/kakao/unlink", on: noStore, use: unlinkHook.unlink)
            routes.post("/hooks/kakao/unlink", on: noStore, use: unlinkHook.unlink)
        }
        routes.get("/openapi.yaml", on: router.group(), use: documents.openAPIDocument)
        routes.get("/sdk/kakao-login.js", on: router.group(), use: sdk.module)
        routes.get("/sdk/kakao-login.d.ts", on: router.group(), use: sdk.declarations)
        routes.get("/.well-known/jwks.json", on: router.group(), use: operations.jwks)
        if configuration.operationsOnPublicListener {
            addOperationRoutes(operations, to: &routes, on: router.group())
        } else {
            routes.get("/healthz", on: router.group(), use: operations.health)
        }
        routes.answerOtherMethods(on: router.group())
        return (router, routes)
    }

    /// `/healthz`, `/readyz` and `/metrics`.
    private static func addOperationRoutes(
        _ operations: OperationsController,
        to routes: inout RouteTable,
        on group: RouterGroup<APIRequestContext>
    ) {
        routes.get("/healthz", on: group, use: operations.health)
        routes.get("/readyz", on: group, use: operations.readiness)
        routes.get("/metrics", on: group, use: operations.metrics)
    }

    private static func operationsController(
        configuration: LoginAPIConfiguration,
        dependencies: LoginAPIDependencies,
        waiters: LoginWaiters
    ) -> OperationsController {
        OperationsController(
            pool: dependencies.pool,
            waiters: waiters,
            accessTokens: dependencies.sessions.accessTokens,
            readinessTimeout: configuration.readinessTimeout,
            metricsExposition: dependencies.metricsExposition
        )
    }
}
