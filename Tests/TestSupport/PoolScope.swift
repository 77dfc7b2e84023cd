import Logging
import Postgres

/// Runs a ``PostgresPool`` (its `run()` in a child task) around `body`, then shuts it down
/// by cancelling `run()` and waits until every connection and thread is closed.
public func withPool<Result: Sendable>(
    _ configuration: PostgresConfiguration,
    options: PostgresPool.Options = PostgresPool.Options(maximumConnections: 4, acquireTimeout: .seconds(30)),
    logger: Logger = TestEnvironment.logger,
    _ body: (PostgresPool) async throws -> Result
) async throws -> Result {
    let pool = PostgresPool(configuration: configuration, options: options, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await pool.run() }
        do {
            let result = try await body(pool)
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            try? await group.waitForAll()
            throw error
        }
    }
}
