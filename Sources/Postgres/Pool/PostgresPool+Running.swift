import Logging

extension PostgresPool {
    /// A pool that runs (its ``run()`` in a child task) only around `body`, then is shut down
    /// by cancelling ``run()``, which returns once every connection and thread is closed: for
    /// command-line tools and tests. A long-running process puts the pool in its `ServiceGroup`
    /// instead.
    public static func withRunning<Result: Sendable>(
        configuration: PostgresConfiguration,
        options: Options = Options(),
        logger: Logger,
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
}
