import Hummingbird
import Logging
import ServiceLifecycle

/// Serving an emulator's router: the Hummingbird application, and a scoped run for tests.
package enum EmulatorServer {
    /// A Hummingbird application serving `router` on `host:port` (port 0: any free port) that
    /// records the bound address in `runtime` before calling `onServerRunning` with the port.
    package static func application(
        router: Router<EmulatorRequestContext>,
        runtime: EmulatorRuntime,
        host: String,
        port: Int,
        serverName: String,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                runtime.serverDidBind(host: host, port: bound)
                await onServerRunning(bound)
            },
            logger: logger
        )
    }

    /// Runs the application `makeApplication` builds (given the callback to call with the bound
    /// port) for the duration of `body`, which gets the runtime's base URL; then shuts it down
    /// gracefully.
    package static func withRunning<T, App: ApplicationProtocol>(
        runtime: EmulatorRuntime,
        host: String,
        port: Int,
        logger: Logger,
        makeApplication: (@escaping @Sendable (Int) async -> Void) -> App,
        _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = makeApplication { continuation.yield($0) }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard await iterator.next() != nil else {
                try await tasks.waitForAll()
                throw EmulatorError(.serverNotStarted, "the emulator stopped before it was listening on \(host):\(port)")
            }
            do {
                let result = try await body(runtime.baseURL)
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
}
