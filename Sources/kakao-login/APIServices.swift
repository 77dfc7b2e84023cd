import Accounts
import Hummingbird
import Logging
import LoginAPI
import LoginQueue
import Postgres
import Prometheus
import ServiceLifecycle

/// Everything `kakao-login api` (and the API half of `kakao-login dev`) runs, built from the
/// settings in the order the service group starts them: the database pool, Kakao's HTTP client,
/// then the application (which runs its `login_done` listener before the server).
enum APIServices {
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    static func build(
        settings: Settings,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        // Required secrets and keys first: a missing one is refused before anything connects.
        let sealing = try settings.sealingKeys()
        let accessTokens = try await settings.accessTokenKeys()
        let (providers, providerServices) = try settings.loginProviders(logger: logger, requireRedirectURIs: true)
        let queueConfiguration = settings.loginQueueConfiguration()
        let sessionConfiguration = try settings.sessionConfiguration(sealing: sealing)
        let database = try settings.postgresConfiguration(applicationName: "kakao-login api")
        let listener = try settings.listenerConfiguration(applicationName: "kakao-login api listener")

        MetricsBootstrap.bootstrap()  // before anything makes a metric
        let pool = PostgresPool(configuration: database, options: settings.poolOptions(name: "api"), logger: logger)
        let sessions = Sessions(pool: pool, configuration: sessionConfiguration, accessTokens: accessTokens, logger: logger)
        let dependencies = LoginAPIDependencies(
            pool: pool,
            listenerConfiguration: listener,
            attempts: providers.map {
                LoginAttempts(pool: pool, sealing: sealing, provider: $0, configuration: queueConfiguration, logger: logger)
            },
            jobs: APILoginJobs(
                pool: pool,
                sealing: sealing,
                configuration: queueConfiguration,
                sessions: sessions,
                logger: logger
            ),
            sessions: sessions,
            identities: UserIdentities(pool: pool, logger: logger),
            userSessions: UserSessions(pool: pool, logger: logger),
            deletions: APIAccountDeletions(pool: pool, configuration: queueConfiguration, logger: logger),
            metricsExposition: { MetricsBootstrap.exposition() }
        )
        let app = APIApplication.build(
            configuration: try settings.loginAPIConfiguration(),
            dependencies: dependencies,
            server: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "kakao-login"),
            operations: settings.opsPort.map {
                ApplicationConfiguration(address: .hostname(settings.host, port: $0), serverName: "kakao-login-ops")
            },
            logger: logger,
            onServerRunning: onServerRunning
        )
        return [.init(service: pool)] + providerServices.map { .init(service: $0) } + [.init(service: app)]
    }
}
