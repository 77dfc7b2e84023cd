import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// What the `api` and `worker` commands share: settings from the environment and flags (every
/// problem reported at once), the logger, and one `ServiceGroup` that SIGTERM or SIGINT stops
/// gracefully.
enum ServerProcess {
    /// Runs the services `build` makes until a signal stops them; on error prints one line and
    /// exits 1 (``CommandErrors``).
    static func run(
        _ command: String,
        flags: [String: String],
        services build: (Settings, Logger) async throws -> [ServiceGroupConfiguration.ServiceConfiguration]
    ) async throws {
        try await CommandErrors.reporting(command) {
            let (settings, problems) = Settings.load(environment: ProcessInfo.processInfo.environment, flags: flags)
            guard problems.isEmpty else { throw StartupError.invalid(problems) }
            ConcurrencyExecutor.useEventLoopThreads(settings.eventLoopThreads)
            let onEventLoops = ConcurrencyExecutor.runTasksOnNIOEventLoops()
            let logger = LoggingBootstrap.logger(
                "kakao-login.\(command)",
                level: settings.logLevel,
                format: settings.logFormat,
                metadataProvider: TracingBootstrap.loggingMetadata(settings: settings)
            )
            if !onEventLoops { logger.notice("process.tasks_on_cooperative_pool: NIO's event loops could not become the global executor") }
            // First in the group, so it stops last and sends the spans of the shutdown.
            let tracing = try TracingBootstrap.service(settings: settings, logger: logger).map {
                [ServiceGroupConfiguration.ServiceConfiguration(service: $0)]
            }
            let services = (tracing ?? []) + (try await build(settings, logger))
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            )
            try await group.run()
        }
    }
}
