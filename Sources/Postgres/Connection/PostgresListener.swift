import Logging
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle

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

/// The state of one iteration: its connection, database thread and event loop, and the
/// stream the event loop feeds (notification batches, connection loss). Not `Sendable`: it
/// belongs to the one task that iterates (the event loop reaches it only through the stream's
/// continuation and the lock-protected `state`).
final class ListenerSession {
    private enum Signal: Sendable {
        case notifications([PostgresListenerEvent])
        case lost(token: UInt64)
    }

    private struct State {
        var connection: PostgresConnection?
        var pending: [PostgresListenerEvent] = []
        var hasListened = false
        var finished = false
    }

    private let listener: PostgresListener
    private let threadPool = NIOThreadPool(numberOfThreads: 1)
    private let eventLoop = LibPQEventLoop()
    private let state = NIOLockedValueBox(State())
    private let signals: AsyncStream<Signal>
    private let signalContinuation: AsyncStream<Signal>.Continuation
    private var signalIterator: AsyncStream<Signal>.AsyncIterator

    init(listener: PostgresListener) {
        self.listener = listener
        (signals, signalContinuation) = AsyncStream.makeStream(of: Signal.self)
        signalIterator = signals.makeAsyncIterator()
        threadPool.start()
        eventLoop.start()
    }

    deinit {
        // Iteration abandoned before its end (the consumer broke out of the loop): close
        // without waiting. After a normal end `finish()` has done all this already.
        let (connection, finished) = state.withLockedValue { ($0.connection, $0.finished) }
        guard !finished else { return }
        connection?.close()
        signalContinuation.finish()
        threadPool.shutdownGracefully { _ in }
        let eventLoop = self.eventLoop
        Task { await eventLoop.shutdown() }
    }

    func next() async throws -> PostgresListenerEvent? {
        if state.withLockedValue({ $0.finished }) { return nil }
        let continuation = signalContinuation
        let event = try await withGracefulShutdownHandler {
            try await produce()
        } onGracefulShutdown: {
            continuation.finish()
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
        connection?.close()
        signalContinuation.finish()
        await eventLoop.shutdown()
        try? await threadPool.shutdownGracefully()
    }

    private var isStopping: Bool {
        Task.isCancelled || Task.isShuttingDownGracefully
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
                        ]
                    )
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, listener.maximumReconnectBackoff)
                    continue
                }
            }
            // Cancellation ends the stream's iteration (nil); graceful shutdown finishes it.
            guard let signal = await signalIterator.next() else { return nil }
            switch signal {
            case .notifications(let events):
                state.withLockedValue { $0.pending += events }
            case .lost(let token) where token == connection.handle.token:
                listener.logger.info("db.listener.connection.lost")
                state.withLockedValue { $0.connection = nil }
                connection.close()
            case .lost:
                break  // an older connection's
            }
        }
        return nil
    }

    private func connectAndListen() async throws -> PostgresListenerEvent {
        let continuation = signalContinuation
        let connection = try await PostgresConnection.connect(
            configuration: listener.configuration,
            threadPool: threadPool,
            eventLoop: eventLoop,
            statementCacheSize: 0,
            logger: listener.logger,
            metrics: PostgresMetrics(factory: nil),
            onNotifications: { batch in
                continuation.yield(.notifications(batch.map { .notification(channel: $0.channel, payload: $0.payload) }))
            },
            onLost: { token in
                // The connection's own token: a loss before `connect` returns is not mistaken
                // for an older connection's.
                continuation.yield(.lost(token: token))
            }
        )
        do {
            for channel in listener.channels {
                let quoted = try connection.handle.escapeIdentifier(channel)
                try await connection.executeSimple("LISTEN \(quoted)")
            }
        } catch {
            connection.close()
            throw error
        }
        let reconnected = state.withLockedValue { state -> Bool in
            state.connection = connection
            defer { state.hasListened = true }
            return state.hasListened
        }
        listener.logger.info(
            reconnected ? "db.listener.reconnected" : "db.listener.listening",
            metadata: ["db.listener.channels": "\(listener.channels.count)"]
        )
        return reconnected ? .reconnected : .listening
    }
}
