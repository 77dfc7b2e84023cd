import Logging
import Postgres

/// Runs a ``PostgresPool`` around `body` (``PostgresPool/withRunning(configuration:options:logger:_:)``)
/// with the tests' defaults.
public func withPool<Result: Sendable>(
    _ configuration: PostgresConfiguration,
    options: PostgresPool.Options = PostgresPool.Options(maximumConnections: 4, acquireTimeout: .seconds(30)),
    logger: Logger = TestEnvironment.logger,
    _ body: (PostgresPool) async throws -> Result
) async throws -> Result {
    try await PostgresPool.withRunning(configuration: configuration, options: options, logger: logger, body)
}
