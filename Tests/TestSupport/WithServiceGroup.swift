import Logging
import ServiceLifecycle

/// Runs `services` in one `ServiceGroup` (no signal handling) around `body`, then shuts the
/// group down gracefully and waits for it however `body` ends.
public func withServiceGroup<Result: Sendable>(
    _ services: [any Service],
    logger: Logger = TestEnvironment.logger,
    _ body: () async throws -> Result
) async throws -> Result {
    let group = ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    )
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
