import Hummingbird
import Logging
import ServiceLifecycle

/// A local provider (``KakaoEmulator``, ``GoogleEmulator``): its router, and, written once here,
/// serving it and the controls tests use in process (faults, clock, keys).
public protocol ProviderEmulator: Sendable {
    /// The parts every emulator has.
    var base: EmulatorBase { get }

    /// The router with every path; ``EmulatorMiddleware`` stamps `X-Emulator-Elapsed-Ms` and
    /// injects faults; `/_emulator/*` answers loopback peers only.
    func buildRouter() -> Router<EmulatorRequestContext>
}

extension ProviderEmulator {
    /// A Hummingbird application serving ``buildRouter()`` on `host:port` (port 0: any free
    /// port; nil: the provider's default, 9090 for Kakao, 9091 for Google).
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public func buildApplication(
        host: String = "127.0.0.1",
        port: Int? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let runtime = base.runtime
        let port = port ?? runtime.defaultPort
        return Application(
            router: buildRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: base.serverName),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                runtime.serverDidBind(host: host, port: bound)
                await onServerRunning(bound)
            },
            logger: base.logger
        )
    }

    /// Runs the emulator on `host:port` (port 0 by default) for the duration of `body`, which
    /// gets the base URL (`http://127.0.0.1:PORT`); then shuts the server down gracefully.
    public func withRunningServer<T>(
        host: String = "127.0.0.1",
        port: Int = 0,
        _ body: (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = buildApplication(host: host, port: port) { continuation.yield($0) }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], cancellationSignals: [], logger: base.logger)
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
            // One way down whatever `body` did; the server's own error matters only when `body` succeeded.
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(baseURL))
            } catch {
                outcome = .failure(error)
            }
            await group.triggerGracefulShutdown()
            if case .success = outcome {
                try await tasks.waitForAll()
            } else {
                try? await tasks.waitForAll()
            }
            return try outcome.get()
        }
    }

    /// Where the server listens (or `publicBaseURL` when configured).
    public var baseURL: String { base.runtime.baseURL }

    /// The faults in force.
    public var faults: EmulatorFaults { base.runtime.currentFaults }

    /// Replaces the faults in force (as `POST /_emulator/faults`).
    public func setFaults(_ faults: EmulatorFaults) throws(EmulatorError) {
        try base.runtime.setFaults(faults)
    }

    /// Moves the emulated clock (as `POST /_emulator/clock`); a negative value moves it back,
    /// which makes tokens issued afterwards already expired by the wall clock.
    public func advanceClock(bySeconds seconds: Int) {
        base.runtime.clock.advance(seconds: seconds)
    }

    /// Rotates the ID-token signing keys (as `POST /_emulator/keys/rotate`); no key is unpublished.
    public func rotateSigningKey() throws(EmulatorError) {
        try base.keys.rotate()
    }

    /// The `kid` new ID tokens carry.
    public var signingKeyID: String { base.keys.currentKID }
}
