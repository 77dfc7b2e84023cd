import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A bounded pool of PostgreSQL connections, run as a `Service`.
///
/// ```swift
/// let pool = PostgresPool(configuration: try .fromEnvironment(), options: .init(maximumConnections: 8), logger: logger)
/// let group = ServiceGroup(services: [pool, worker, api], gracefulShutdownSignals: [.sigterm], logger: logger)
/// // elsewhere, while the group runs:
/// let id = try await pool.withTransaction { conn in
///     try await conn.query("INSERT INTO users (name) VALUES (\(name)) RETURNING id").single().decode(Int64.self, "id")
/// }
/// ```
///
/// - Connections open on demand (inside ``run()``), up to ``Options/maximumConnections``.
/// - Tasks that find every connection busy wait in FIFO order, at most
///   ``Options/acquireTimeout``, then get ``PostgresError/Code/poolTimeout``.
/// - A connection that broke, or that was given back inside an open transaction, is closed and
///   replaced. One the server closed while idle (a restart, `pg_terminate_backend`) is
///   detected before the next statement is sent and reconnected, so a server restart is
///   survived without restarting the process.
/// - No blocking libpq call runs on Swift's cooperative threads: connecting and reconnecting
///   run on the pool's own `NIOThreadPool` (one thread per connection), statements use
///   libpq's non-blocking API with one event-loop thread per pool reading the answers.
/// - ``run()`` returns on graceful shutdown or cancellation, after closing every connection
///   (it waits for leased ones to come back) and the thread pool. Put the pool first in a
///   `ServiceGroup`, so it is shut down last.
///
/// Only scoped use is offered (`withConnection`, `withTransaction`, `query`, `execute`), so a
/// connection always comes back.
public final class PostgresPool: Service, Sendable {
    /// Where and how connections connect.
    public let configuration: PostgresConfiguration
    /// Pool size and timeouts.
    public let options: Options

    let threadPool: NIOThreadPool
    let eventLoop = LibPQEventLoop()
    let logger: Logger
    let metrics: PostgresMetrics

    private let state = NIOLockedValueBox(State())
    private let openRequests: AsyncStream<Void>
    private let openRequestsContinuation: AsyncStream<Void>.Continuation

    /// Creates a pool; nothing connects until ``run()`` is running.
    public init(configuration: PostgresConfiguration, options: Options = Options(), logger: Logger) {
        precondition(options.maximumConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.options = options
        var logger = logger
        logger[metadataKey: "db.pool"] = "\(options.name)"
        self.logger = logger
        self.metrics = PostgresMetrics(factory: options.metricsFactory, poolName: options.name)
        self.threadPool = NIOThreadPool(numberOfThreads: options.maximumConnections)
        (openRequests, openRequestsContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    // MARK: - Service

    /// Opens connections on demand until graceful shutdown or cancellation, then closes them
    /// all (waiting for leased ones to be given back) and stops the database threads.
    /// Returns normally on shutdown; calling it twice throws.
    public func run() async throws {
        let firstRun = state.withLockedValue { state in
            defer { state.runStarted = true }
            return !state.runStarted
        }
        guard firstRun else {
            throw PostgresError(.poolClosed, "run() was called twice on the same pool")
        }
        threadPool.start()
        eventLoop.start()
        logger.debug("db.pool.started", metadata: ["db.pool.size": "\(options.maximumConnections)"])

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Returns on graceful shutdown; throws when the task is cancelled. Both end the pool.
                try? await gracefulShutdown()
                self.beginClose()
            }
            for await _ in openRequests {
                state.withLockedValue { $0.queuedOpenRequests -= 1 }
                group.addTask { await self.openConnection() }
            }
            beginClose()
        }
        state.withLockedValue { state in
            // Requests still queued when the stream finished were never served.
            state.total -= state.queuedOpenRequests
            state.opening -= state.queuedOpenRequests
            state.queuedOpenRequests = 0
        }
        await waitUntilDrained()
        await eventLoop.shutdown()
        do {
            try await threadPool.shutdownGracefully()
        } catch {
            logger.debug("db.pool.threads.shutdown.failed")
        }
        logger.debug("db.pool.stopped")
    }

    /// The pool's event-loop thread as a `TaskExecutor`. A task that mostly talks to the
    /// database can prefer it, so that it resumes on the thread that read each answer instead
    /// of being handed to a cooperative thread (one thread switch less per statement):
    ///
    /// ```swift
    /// try await withTaskExecutorPreference(pool.taskExecutor) {
    ///     for id in ids { try await pool.execute("UPDATE t SET n = n + 1 WHERE id = \(id)") }
    /// }
    /// ```
    ///
    /// Code on this executor must not block, and should not compute for long: while it runs, no
    /// answer is read for any connection of the pool. Before the pool's ``run()`` has started
    /// and after it has ended, such tasks run on the global executor.
    public var taskExecutor: any TaskExecutor { eventLoop }

    // MARK: - scoped use

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    /// The connection must not escape `body`.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID,
        line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease(file: file, line: line)
        defer { release(connection) }
        return try await body(connection)
    }

    /// Runs `body` in a transaction on a pooled connection: `COMMIT` when it returns,
    /// `ROLLBACK` when it throws or the task is cancelled.
    ///
    /// - Parameter options: isolation level, `synchronous_commit = off`, per-transaction
    ///   statement and lock timeouts.
    @discardableResult
    public func withTransaction<Result>(
        _ options: PostgresTransactionOptions = PostgresTransactionOptions(),
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID,
        line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease(file: file, line: line)
        defer { release(connection) }
        return try await connection.withTransaction(options, file: file, line: line, body)
    }

    /// Runs one statement in autocommit mode and returns its rows.
    public func query(_ query: SQLQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRows {
        let connection = try await lease(file: file, line: line)
        defer { release(connection) }
        return try await connection.query(query, file: file, line: line)
    }

    /// Runs one statement in autocommit mode and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery, file: String = #fileID, line: Int = #line) async throws -> Int {
        let connection = try await lease(file: file, line: line)
        defer { release(connection) }
        return try await connection.execute(query, file: file, line: line)
    }

    /// Sends a notification (`SELECT pg_notify($1, $2)`) in autocommit mode.
    public func notify(channel: String, payload: String = "", file: String = #fileID, line: Int = #line) async throws {
        let connection = try await lease(file: file, line: line)
        defer { release(connection) }
        try await connection.notify(channel: channel, payload: payload, file: file, line: line)
    }

    /// Connections lent out, open (idle + lent + opening), and tasks waiting, right now.
    public var statistics: (leased: Int, open: Int, waiting: Int) {
        state.withLockedValue { ($0.leased, $0.total, $0.waiters.count) }
    }

    // MARK: - leasing

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<PostgresConnection, any Error>
        /// Fails the wait at the acquire timeout; cancelled when the waiter leaves the queue.
        var timeout: Scheduled<Void>

        func resume(with result: Result<PostgresConnection, any Error>) {
            timeout.cancel()
            continuation.resume(with: result)
        }
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var waiters = CircularBuffer<Waiter>()
        /// idle + leased + opening.
        var total = 0
        var leased = 0
        /// Connections requested and not yet open (queued for `run()` or connecting).
        var opening = 0
        /// Requests yielded to `run()` and not yet picked up.
        var queuedOpenRequests = 0
        /// Connections being closed.
        var closing = 0
        var isClosed = false
        var runStarted = false
        var warnedNotRunning = false
        var nextWaiterID = 0
        var drained: CheckedContinuation<Void, Never>?

        /// Requests one more connection when waiters outnumber the connections on their way.
        mutating func openIfNeeded(maximum: Int) -> Bool {
            guard !isClosed, waiters.count > opening, total < maximum else { return false }
            total += 1
            opening += 1
            queuedOpenRequests += 1
            return true
        }

        var gauges: Gauges { Gauges(leased: leased, open: total, waiting: waiters.count) }

        mutating func removeWaiter(_ id: Int) -> Waiter? {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
    }

    private enum FastPath {
        case connection(PostgresConnection)
        case closed
        case wait(id: Int, warnNotRunning: Bool)
    }

    func lease(file: String = #fileID, line: Int = #line) async throws -> PostgresConnection {
        let start = NIODeadline.now()
        var gauges: Gauges?
        let fast = state.withLockedValue { state -> FastPath in
            if state.isClosed { return .closed }
            if let connection = state.idle.popLast() {
                state.leased += 1
                gauges = state.gauges
                return .connection(connection)
            }
            state.nextWaiterID += 1
            let warn = !state.runStarted && !state.warnedNotRunning
            if warn { state.warnedNotRunning = true }
            return .wait(id: state.nextWaiterID, warnNotRunning: warn)
        }
        let connection: PostgresConnection
        switch fast {
        case .closed:
            throw PostgresError(.poolClosed, "the pool is shut down", file: file, line: line)
        case .connection(let idle):
            connection = idle
        case .wait(let id, let warnNotRunning):
            if warnNotRunning {
                logger.debug("db.pool.not_running: a connection was requested before the pool's run() started")
            }
            connection = try await waitForConnection(id: id, file: file, line: line)
        }
        metrics.poolWait.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
        if let gauges { record(gauges) } else { recordGauges() }
        return connection
    }

    private func waitForConnection(id: Int, file: String, line: Int) async throws -> PostgresConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                enum Enqueued {
                    case connection(PostgresConnection)
                    case failed(any Error)
                    case waiting(requestOpen: Bool)
                }
                let outcome = state.withLockedValue { state -> Enqueued in
                    if state.isClosed { return .failed(PostgresError(.poolClosed, "the pool is shut down")) }
                    // The cancellation flag is read under the lock that `cancelWaiter` takes, so a
                    // cancellation either is seen here or finds the waiter queued.
                    if Task.isCancelled { return .failed(CancellationError()) }
                    if let connection = state.idle.popLast() {
                        state.leased += 1
                        return .connection(connection)
                    }
                    // Armed under the lock `expireWaiter` takes, so it always finds the waiter
                    // queued (or gone with its connection). TimeAmount clamps a huge timeout.
                    let timeout = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(
                        in: TimeAmount(options.acquireTimeout)
                    ) { self.expireWaiter(id, file: file, line: line) }
                    state.waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
                    return .waiting(requestOpen: state.openIfNeeded(maximum: options.maximumConnections))
                }
                switch outcome {
                case .connection(let connection):
                    continuation.resume(returning: connection)
                case .failed(let error):
                    continuation.resume(throwing: error)
                case .waiting(let requestOpen):
                    if requestOpen { openRequestsContinuation.yield() }
                }
            }
        } onCancel: {
            cancelWaiter(id)
        }
    }

    private func expireWaiter(_ id: Int, file: String, line: Int) {
        guard let waiter = state.withLockedValue({ $0.removeWaiter(id) }) else { return }
        metrics.poolTimeouts.increment()
        let (leased, opening) = state.withLockedValue { ($0.leased, $0.opening) }
        logger.debug("db.pool.timeout", metadata: ["db.pool.leased": "\(leased)", "db.pool.opening": "\(opening)"])
        waiter.resume(
            with: .failure(
                PostgresError(
                    .poolTimeout,
                    "no database connection became free within \(options.acquireTimeout) "
                        + "(pool of \(options.maximumConnections): \(leased) in use, \(opening) connecting)",
                    file: file,
                    line: line
                )
            )
        )
    }

    private func cancelWaiter(_ id: Int) {
        guard let waiter = state.withLockedValue({ $0.removeWaiter(id) }) else { return }
        waiter.resume(with: .failure(CancellationError()))
    }

    /// Takes a connection back: to the first waiter, to the idle list, or (when broken, left
    /// inside a transaction, or the pool is closing) closed and, if tasks wait, replaced.
    func release(_ connection: PostgresConnection) {
        let reusable = connection.isReusable
        enum Action {
            case none
            case handOver(Waiter)
            case close(requestOpen: Bool)
        }
        var gauges = Gauges(leased: 0, open: 0, waiting: 0)
        let action = state.withLockedValue { state -> Action in
            defer { gauges = state.gauges }
            state.leased -= 1
            if !reusable || state.isClosed {
                state.total -= 1
                state.closing += 1
                return .close(requestOpen: state.openIfNeeded(maximum: options.maximumConnections))
            }
            if let waiter = state.waiters.popFirst() {
                state.leased += 1
                return .handOver(waiter)
            }
            state.idle.append(connection)
            return .none
        }
        switch action {
        case .none:
            break
        case .handOver(let waiter):
            waiter.resume(with: .success(connection))
        case .close(let requestOpen):
            if !reusable { logger.debug("db.connection.discarded") }
            if requestOpen { openRequestsContinuation.yield() }
            closeInBackground(connection)
        }
        record(gauges)
    }

    // MARK: - opening and closing

    private func openConnection() async {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration,
                threadPool: threadPool,
                eventLoop: eventLoop,
                statementCacheSize: options.statementCacheSize,
                logger: logger,
                metrics: metrics
            )
            enum Action {
                case none
                case handOver(Waiter)
                case close
            }
            let action = state.withLockedValue { state -> Action in
                state.opening -= 1
                if state.isClosed {
                    state.total -= 1
                    state.closing += 1
                    return .close
                }
                if let waiter = state.waiters.popFirst() {
                    state.leased += 1
                    return .handOver(waiter)
                }
                state.idle.append(connection)
                return .none
            }
            switch action {
            case .none: break
            case .handOver(let waiter): waiter.resume(with: .success(connection))
            case .close: closeInBackground(connection)
            }
        } catch {
            metrics.connectionFailures.increment()
            logger.debug("db.connection.failed", metadata: ["db.error.code": "\((error as? PostgresError)?.code.description ?? "other")"])
            // Fail the oldest waiter (so callers hear of an outage now, not at their timeout),
            // and start another attempt for the others.
            let (waiter, requestOpen) = state.withLockedValue { state -> (Waiter?, Bool) in
                state.opening -= 1
                state.total -= 1
                let waiter = state.waiters.popFirst()
                let requestOpen = state.openIfNeeded(maximum: options.maximumConnections)
                return (waiter, requestOpen)
            }
            waiter?.resume(with: .failure(error))
            if requestOpen { openRequestsContinuation.yield() }
            signalIfDrained()
        }
        recordGauges()
    }

    /// Closes a connection (non-blocking: Terminate is sent without waiting) and updates the count.
    private func closeInBackground(_ connection: PostgresConnection) {
        connection.close()
        state.withLockedValue { $0.closing -= 1 }
        signalIfDrained()
    }

    /// Stops accepting work: fails the waiters, closes the idle connections; leased ones are
    /// closed as they come back. Idempotent.
    private func beginClose() {
        let (waiters, idle) = state.withLockedValue { state -> ([Waiter], [PostgresConnection]) in
            guard !state.isClosed else { return ([], []) }
            state.isClosed = true
            let waiters = Array(state.waiters)
            state.waiters.removeAll()
            let idle = state.idle
            state.idle.removeAll()
            state.total -= idle.count
            state.closing += idle.count
            return (waiters, idle)
        }
        openRequestsContinuation.finish()
        for waiter in waiters {
            waiter.resume(with: .failure(PostgresError(.poolClosed, "the pool is shutting down")))
        }
        for connection in idle { closeInBackground(connection) }
        signalIfDrained()
    }

    private func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state -> Bool in
                if state.total == 0 && state.closing == 0 { return true }
                state.drained = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func signalIfDrained() {
        let continuation = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard state.isClosed, state.total == 0, state.closing == 0, let drained = state.drained else { return nil }
            state.drained = nil
            return drained
        }
        continuation?.resume()
    }

    private struct Gauges {
        var leased: Int
        var open: Int
        var waiting: Int
    }

    private func recordGauges() {
        record(state.withLockedValue { $0.gauges })
    }

    private func record(_ gauges: Gauges) {
        metrics.leased.record(gauges.leased)
        metrics.connections.record(gauges.open)
        metrics.waiters.record(gauges.waiting)
    }
}
