import ArgumentParser
import Foundation
import Logging
import LoginQueue
import Postgres

/// `kakao-login queue retry ID`: runs a failed job again (``QueueOperations/retry(publicID:)``):
/// a login only when its code was never sent, a deletion always. Prints what it did, or why it
/// refused; exits 1 on a refusal. The same statement as `sql/ops/requeue_failed_job.sql`.
struct QueueRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Run a failed login (never sent) or account deletion again, by its login_id or deletion_id."
    )

    @Argument(help: "The job's public id: a login_id or a deletion_id (a UUID).")
    var id: String

    func validate() throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("the id must be a login_id or deletion_id (a UUID)") }
    }

    func run() async throws {
        try await CommandErrors.reporting("queue retry") {
            let (settings, problems) = Settings.load(environment: ProcessInfo.processInfo.environment)
            guard problems.isEmpty else { throw StartupError.invalid(problems) }
            let logger = LoggingBootstrap.logger("kakao-login.queue", level: .warning, format: settings.logFormat)
            let configuration = try settings.postgresConfiguration(applicationName: "kakao-login queue retry")
            guard let publicID = UUID(uuidString: id) else { throw ValidationError("the id must be a UUID") }
            let retried = try await PostgresPool.withRunning(
                configuration: configuration,
                options: .init(maximumConnections: 1, name: "queue"),
                logger: logger
            ) { pool in
                try await QueueOperations(pool: pool, configuration: settings.loginQueueConfiguration()).retry(publicID: publicID)
            }
            switch retried {
            case .requeued(let kind):
                print("requeued \(kind) \(id.lowercased()): a worker runs it within a second")
            case .notFound:
                throw StartupError("no job \(id.lowercased())")
            case .refused(let reason):
                throw StartupError("refused: \(reason)")
            }
        }
    }
}
