import Logging
import Postgres

extension LoginQueueError {
    /// Runs a database call, turning a failure into `database_unavailable` (connection trouble,
    /// pool timeout) or `internal_error` (anything else). The `PostgresError` is logged (its
    /// description holds no value), never returned.
    static func database<T>(_ logger: Logger, _ operation: String, _ body: () async throws -> T) async throws(LoginQueueError) -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            logger.warning("login.database_error", metadata: ["login.operation": "\(operation)", "db.error": "\(error)"])
            throw LoginQueueError(error.isUnavailable ? .databaseUnavailable : .internalError)
        } catch is CancellationError {
            throw LoginQueueError(.internalError)
        } catch let error as LoginQueueError {
            throw error
        } catch {
            throw LoginQueueError(.internalError)
        }
    }

    /// Runs a sealing call; a failure there is a configuration problem, reported as internal.
    static func sealing<T>(_ body: () throws -> T) throws(LoginQueueError) -> T {
        do {
            return try body()
        } catch {
            throw LoginQueueError(.internalError)
        }
    }
}
