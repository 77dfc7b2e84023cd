import Accounts
import Hummingbird
import Logging
import LoginQueue
import Postgres
import Prometheus
import ServiceLifecycle

/// Everything `kakao-login worker` (and the worker half of `kakao-login dev`) runs, in start order: the pool, Kakao's HTTP client, the
/// worker, the pruner, and the metrics server. Shutdown runs in reverse, so the worker drains
/// before the HTTP client and the pool close.
enum WorkerServices {
    static func build(
        settings: Settings,
        concurrency: Int,
        metrics: (host: String, port: Int)?,
        logger: Logger
    ) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let sealing = try settings.sealingKeys()
        let (providers, providerServices) = try settings.loginProviders(logger: logger, requireRedirectURIs: false)
        let database = try settings.postgresConfiguration(applicationName: "kakao-login worker")
        let listener = try settings.listenerConfiguration(applicationName: "kakao-login worker listener")
        MetricsBootstrap.bootstrap()  // before anything makes a metric

        let pool = PostgresPool(configuration: database, options: settings.poolOptions(name: "worker"), logger: logger)
        let worker = LoginWorker(
            pool: pool,
            listenerConfiguration: listener,
            providers: providers.map(\.provider),
            sealing: sealing,
            accounts: UserAccounts(),
            configuration: WorkerConfiguration(
                concurrency: concurrency,
                lease: settings.leaseDuration,
                heartbeat: settings.heartbeatInterval,
                pollInterval: settings.pollInterval,
                shutdownGrace: settings.shutdownGrace,
                retryPolicy: RetryPolicy(floor: settings.retryFloor, base: settings.retryFloor)
            ),
            logger: logger
        )
        let pruner = LoginPruner(pool: pool, retention: settings.retention, auditRetention: settings.auditRetention, logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [.init(service: pool)] + providerServices.map { .init(service: $0) } + [.init(service: worker), .init(service: pruner)]
        if let metrics {
            services.append(
                .init(
                    service: metricsServer(
                        host: metrics.host,
                        port: metrics.port,
                        pool: pool,
                        pauses: worker.pauses,
                        logger: logger
                    )
                )
            )
        }
        return services
    }

    /// `/metrics` (Prometheus text), `/healthz` (the process runs), `/readyz` (the database
    /// answers; `paused` lists the providers an operator paused, which this worker does not
    /// claim) on the worker's metrics port.
    static func metricsServer(
        host: String,
        port: Int,
        pool: PostgresPool,
        pauses: QueuePauseWatch,
        logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: MetricsBootstrap.exposition()))
            )
        }
        router.get("/healthz") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        router.get("/readyz") { _, _ in
            let ready = (try? await pool.query("SELECT 1 AS ok")) != nil
            let paused = pauses.providers.map { "\"\($0)\"" }.joined(separator: ",")
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"\#(ready ? "ready" : "not_ready")","paused":[\#(paused)]}"#))
            )
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "kakao-login-worker"),
            logger: logger
        )
    }
}
