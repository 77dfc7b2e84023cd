import Accounts
import Hummingbird
import KakaoAPI
import LoginAPI
import LoginQueue
import Logging
import Postgres
import Prometheus
import ServiceLifecycle

/// Everything `kakao-login api` runs, built from the settings in the order the service group
/// starts them: the database pool, Kakao's HTTP client, then the application (which runs its
/// `login_done` listener before the server).
enum APIServices {
    static func build(settings: Settings, logger: Logger) async throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        // Required secrets and keys first: a missing one is refused before anything connects.
        let sealing = try settings.sealingKeys()
        let accessTokens = try await settings.accessTokenKeys()
        let kakao = try settings.kakaoClientConfiguration()
        let queueConfiguration = try settings.loginQueueConfiguration()
        let sessionConfiguration = try settings.sessionConfiguration(sealing: sealing)
        let database = try settings.postgresConfiguration(applicationName: "kakao-login api")

        let registry = MetricsBootstrap.prometheus()
        let pool = PostgresPool(configuration: database, options: settings.poolOptions(name: "api"), logger: logger)
        let httpClient = kakao.makeHTTPClient(backgroundActivityLogger: logger)
        let client = KakaoClient(configuration: kakao, httpClient: httpClient, logger: logger)
        // No KAKAO_SCOPES: the provider's default (`openid`, so every login is checked by its id_token).
        let provider =
            settings.kakaoScopes.isEmpty ? KakaoLoginProvider(client: client) : KakaoLoginProvider(client: client, scopes: settings.kakaoScopes)
        let sessions = Sessions(pool: pool, configuration: sessionConfiguration, logger: logger)
        let dependencies = LoginAPIDependencies(
            pool: pool,
            listenerConfiguration: database,
            attempts: LoginAttempts(
                pool: pool, sealing: sealing, provider: provider, configuration: queueConfiguration, logger: logger),
            jobs: LoginJobs(
                pool: pool, sealing: sealing, provider: provider.name, configuration: queueConfiguration, sessions: sessions,
                logger: logger),
            sessions: sessions,
            accessTokens: accessTokens,
            metricsExposition: { registry.emitToString() })
        let app = APIApplication.build(
            configuration: settings.loginAPIConfiguration(), dependencies: dependencies,
            server: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "kakao-login"),
            logger: logger)
        return [
            .init(service: pool),
            .init(service: KakaoHTTPClientService(httpClient: httpClient)),
            .init(service: app),
        ]
    }
}
