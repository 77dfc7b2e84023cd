import Logging
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a ``PostgresListener`` yields.
public enum PostgresListenerEvent: Sendable, Hashable {
    /// `LISTEN` is in place for the first time. Anything sent before was not seen: read the
    /// source of truth once now.
    case listening
    /// A notification on one of the channels.
    case notification(channel: String, payload: String)
    /// The connection was lost and `LISTEN` is in place again on a new one. Notifications
    /// sent in between were missed: read the source of truth again.
    case reconnected
}

/// LISTEN/NOTIFY as an `AsyncSequence`, on a dedicated connection of its own (never a pooled
/// one), with its own database thread.
///
/// ```swift
/// let listener = PostgresListener(configuration: configuration, channels: ["login_done"], logger: logger)
/// for try await event in listener {
///     switch event {
///     case .listening, .reconnected: await catchUp()          // notifications may have been missed
///     case .notification(_, let payload): wake(payload)
///     }
/// }
/// ```
///
/// Treat notifications as wake-up hints, not as data: they are delivered only at commit, and
/// any sent while the listener is reconnecting are lost (hence `.reconnected`). After a lost
/// connection the listener reconnects with exponential backoff (from
/// ``reconnectBackoff`` up to ``maximumReconnectBackoff``) until it succeeds, then `LISTEN`s
/// again. Channel names are quoted with `PQescapeIdentifier`.
///
/// Iteration ends (returns `nil`) when the task is cancelled or the service group shuts down
/// gracefully; the connection and its thread are then closed. Each iteration opens its own
/// connection. A malformed configuration throws; a server that cannot be reached is retried.
public struct PostgresListener: AsyncSequence, Sendable {
    public typealias Element = PostgresListenerEvent

    /// Where to connect.
    public var configuration: PostgresConfiguration
    /// The channels to `LISTEN` on.
    public var channels: [String]
    /// First delay before reconnecting; doubled after each failure. Default 100 ms.
    public var reconnectBackoff: Duration
    /// Longest delay between reconnection attempts. Default 5 seconds.
    public var maximumReconnectBackoff: Duration
    /// Logs connection loss and recovery at `info`, the rest at `debug`.
    public var logger: Logger

    /// Creates a listener; nothing connects until iteration starts.
    public init(
        configuration: PostgresConfiguration,
        channels: [String],
        reconnectBackoff: Duration = .milliseconds(100),
        maximumReconnectBackoff: Duration = .seconds(5),
        logger: Logger
    ) {
        var configuration = configuration
        // LISTEN connections sit idle for hours: no statement or idle limits apply to them.
        configuration.statementTimeout = nil
        configuration.idleInTransactionSessionTimeout = nil
        self.configuration = configuration
        self.channels = channels
        self.reconnectBackoff = reconnectBackoff
        self.maximumReconnectBackoff = maximumReconnectBackoff
        self.logger = logger
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(listener: self)
    }

    /// Yields ``PostgresListenerEvent``s; see ``PostgresListener``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let session: ListenerSession

        init(listener: PostgresListener) {
            session = ListenerSession(listener: listener)
        }

        public mutating func next() async throws -> PostgresListenerEvent? {
            try await session.next()
        }
    }
}

/// The state of one iteration: the connection, its thread, pending events and a wake-up pipe
/// that cancellation and graceful shutdown write to, so a `poll` in progress returns at once.
///
/// `@unchecked Sendable`: the mutable state is in `state` (a lock-protected box); the pipe
/// descriptors are immutable after `init` and closed only in `deinit`, when no call can run.
final class ListenerSession: @unchecked Sendable {
    private struct State {
        var connection: PostgresConnection?
        var pending: [PostgresListenerEvent] = []
        var hasListened = false
        var finished = false
    }

    private let listener: PostgresListener
    private let threadPool = NIOThreadPool(numberOfThreads: 1)
    private let state = NIOLockedValueBox(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(listener: PostgresListener) {
        self.listener = listener
        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) != 0 { descriptors = [-1, -1] }
        for descriptor in descriptors where descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = descriptors[0]
        wakeWrite = descriptors[1]
        threadPool.start()
    }

    deinit {
        if let connection = state.withLockedValue({ $0.connection }) {
            connection.handle.close()
        }
        threadPool.shutdownGracefully { _ in }
        if wakeRead >= 0 { closeDescriptor(wakeRead) }
        if wakeWrite >= 0 { closeDescriptor(wakeWrite) }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private var isStopping: Bool {
        Task.isCancelled || Task.isShuttingDownGracefully
    }

    func next() async throws -> PostgresListenerEvent? {
        if state.withLockedValue({ $0.finished }) { return nil }
        let event = try await withTaskCancellationOrGracefulShutdownHandler {
            try await produce()
        } onCancelOrGracefulShutdown: {
            self.wake()
        }
        if event == nil { await finish() }
        return event
    }

    private func finish() async {
        let connection = state.withLockedValue { state -> PostgresConnection? in
            state.finished = true
            defer { state.connection = nil }
            return state.connection
        }
        await connection?.close()
        try? await threadPool.shutdownGracefully()
    }

    /// Returns the next event, or nil when stopping.
    private func produce() async throws -> PostgresListenerEvent? {
        var backoff = listener.reconnectBackoff
        while !isStopping {
            if let event = state.withLockedValue({ $0.pending.isEmpty ? nil : $0.pending.removeFirst() }) {
                return event
            }
            guard let connection = state.withLockedValue({ $0.connection }) else {
                do {
                    let event = try await connectAndListen()
                    backoff = listener.reconnectBackoff
                    return event
                } catch let error as PostgresError where error.code == .invalidConfiguration {
                    throw error
                } catch {
                    if isStopping { return nil }
                    listener.logger.info(
                        "db.listener.connect.failed",
                        metadata: [
                            "db.error.code": "\((error as? PostgresError)?.code.description ?? "other")",
                            "db.listener.retry_in_ms": "\(backoff.roundedUpMilliseconds)",
                        ])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, listener.maximumReconnectBackoff)
                    continue
                }
            }
            do {
                let handle = connection.handle
                let wakeRead = self.wakeRead
                let received = try await runBlocking(on: threadPool) {
                    try handle.waitForNotifications(timeoutMilliseconds: 1000, wakeDescriptor: wakeRead)
                }
                drainWakePipe()
                if !received.isEmpty {
                    state.withLockedValue { state in
                        state.pending += received.map { .notification(channel: $0.channel, payload: $0.payload) }
                    }
                }
            } catch {
                listener.logger.info(
                    "db.listener.connection.lost",
                    metadata: ["db.error.code": "\((error as? PostgresError)?.code.description ?? "other")"])
                state.withLockedValue { $0.connection = nil }
                await connection.close()
            }
        }
        return nil
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func connectAndListen() async throws -> PostgresListenerEvent {
        let connection = try await PostgresConnection.connect(
            configuration: listener.configuration, threadPool: threadPool, statementCacheSize: 0,
            logger: listener.logger)
        do {
            for channel in listener.channels {
                let quoted = try await runBlocking(on: threadPool) { [handle = connection.handle] in
                    try handle.escapeIdentifier(channel)
                }
                try await connection.executeSimple("LISTEN \(quoted)")
            }
        } catch {
            await connection.close()
            throw error
        }
        let reconnected = state.withLockedValue { state -> Bool in
            state.connection = connection
            defer { state.hasListened = true }
            return state.hasListened
        }
        listener.logger.info(
            reconnected ? "db.listener.reconnected" : "db.listener.listening",
            metadata: ["db.listener.channels": "\(listener.channels.count)"])
        return reconnected ? .reconnected : .listening
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #elseif canImport(Darwin)
    _ = Darwin.close(descriptor)
    #endif
}
