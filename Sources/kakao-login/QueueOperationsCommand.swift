import ArgumentParser
import Foundation
import Logging
import LoginQueue
import Postgres

/// What the `queue` action subcommands share: the queue's operations on an operator's
/// connection (``OperatorDatabase``), a job id argument, a refusal.
enum QueueOperationsCommand {
    /// Runs `body` with the queue's operations on `DATABASE_URL`.
    static func run<Result: Sendable>(
        _ command: String,
        _ body: @Sendable (QueueOperations, PostgresPool) async throws -> Result
    ) async throws -> Result {
        try await OperatorDatabase.run(command) { pool, settings, _ in
            try await body(QueueOperations(pool: pool, configuration: settings.loginQueueConfiguration()), pool)
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
