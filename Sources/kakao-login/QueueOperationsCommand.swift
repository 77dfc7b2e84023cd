import ArgumentParser
import Foundation
import Logging
import LoginQueue
import Postgres

/// What the `queue` action subcommands share: settings from the environment, one pooled
/// connection, failures as one line and exit 1.
enum QueueOperationsCommand {
    /// Runs `body` with the queue's operations on `DATABASE_URL`.
    static func run<Result: Sendable>(
        _ command: String,
        _ body: @Sendable (QueueOperations, PostgresPool) async throws -> Result
    ) async throws -> Result {
        try await CommandErrors.reporting(command) {
            let (settings, problems) = Settings.load(environment: ProcessInfo.processInfo.environment)
            guard problems.isEmpty else { throw StartupError.invalid(problems) }
            let logger = LoggingBootstrap.logger("kakao-login.queue", level: .warning, format: settings.logFormat)
            let configuration = try settings.postgresConfiguration(applicationName: "kakao-login \(command)")
            let queue = settings.loginQueueConfiguration()
            return try await PostgresPool.withRunning(
                configuration: configuration,
                options: .init(maximumConnections: 1, name: "queue"),
                logger: logger
            ) { pool in try await body(QueueOperations(pool: pool, configuration: queue), pool) }
        }
    }

    /// A job's public id argument: a `login_id` or `deletion_id`.
    struct JobID: ParsableArguments {
        @Argument(help: "The job's public id: a login_id or a deletion_id (a UUID).")
        var text: String

        var id: UUID {
            get throws {
                guard let id = UUID(uuidString: text) else { throw ValidationError("the id must be a login_id or deletion_id (a UUID)") }
                return id
            }
        }

        func validate() throws { _ = try id }
    }
}
