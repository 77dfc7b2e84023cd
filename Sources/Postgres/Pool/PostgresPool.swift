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
///
/// The bookkeeping (idle connections, waiters, counts) is a ``PoolStateMachine`` value behind
/// one lock: each lease and each release is one short critical section that decides, and the
/// pool carries the decision out (resume a waiter, open or close a connection) after unlocking.
public final class PostgresPool: Service, Sendable {
    /// Where and how connections connect.
    public let configuration: PostgresConfiguration
    /// Pool size and timeouts.
    public let options: Options

    let threadPool: NIOThreadPool
    let eventLoop = LibPQEventLoop()
    let logger: Logger
    let metrics: PostgresMetrics

    private let state: NIOLockedValueBox<LockedState>
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
        self.state = NIOLockedValueBox(LockedState(machine: Machine(maximumConnections: options.maximumConnections)))
        (openRequests, openRequestsContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    // MARK: - Service

    /// Opens connections on demand until graceful shutdown or cancellation, then closes them
    /// all (waiting for leased ones to be given back) and stops the database threads.
    /// Returns normally on shutdown; calling it twice throws.
    public func run() async throws {
        guard state.withLockedValue({ $0.machine.startRun() }) else {
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
                state.withLockedValue { $0.machine.openRequestStarted() }
                group.addTask { await self.openConnection() }
            }
            beginClose()
        }
        // Requests still queued when the stream finished were never served.
        resumeIfDrained(state.withLockedValue { $0.drainedContinuation(if: $0.machine.abandonQueuedOpenRequests()) })
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
        let statistics = state.withLockedValue { $0.machine.statistics }
        return (statistics.leased, statistics.open, statistics.waiting)
    }

    // MARK: - state

    /// A task waiting for a connection.
    struct Waiter: Sendable {
        var continuation: CheckedContinuation<PostgresConnection, any Error>
        /// Fails the wait at the acquire timeout; cancelled when the waiter leaves the queue.
        var timeout: Scheduled<Void>

        func resume(with result: Result<PostgresConnection, any Error>) {
            timeout.cancel()
            continuation.resume(with: result)
        }
    }

    typealias Machine = PoolStateMachine<PostgresConnection, Waiter>

    /// What the lock guards: the bookkeeping, and `run()` waiting for the last connection to close.
    private struct LockedState: Sendable {
        var machine: Machine
        var drained: CheckedContinuation<Void, Never>?

        /// `run()`'s continuation, when the machine just reported the pool drained.
        mutating func drainedContinuation(if drained: Bool) -> CheckedContinuation<Void, Never>? {
            guard drained else { return nil }
            defer { self.drained = nil }
            return self.drained
        }
    }

    // MARK: - leasing

    func lease(file: String = #fileID, line: Int = #line) async throws -> PostgresConnection {
        let start = NIODeadline.now()
        var statistics: Machine.Statistics?
        let action = state.withLockedValue { state -> Machine.LeaseAction in
            let action = state.machine.lease()
            if case .lease = action { statistics = state.machine.statistics }
            return action
        }
        let connection: PostgresConnection
        switch action {
        case .failClosed:
            throw PostgresError(.poolClosed, "the pool is shut down", file: file, line: line)
        case .lease(let idle):
            connection = idle
        case .wait(let id, let warnNotRunning):
            if warnNotRunning {
                logger.debug("db.pool.not_running: a connection was requested before the pool's run() started")
            }
            connection = try await waitForConnection(id: id, file: file, line: line)
        }
        metrics.poolWait.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
        record(statistics ?? state.withLockedValue { $0.machine.statistics })
        return connection
    }

    private func waitForConnection(id: Machine.WaiterID, file: String, line: Int) async throws -> PostgresConnection {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                let action = state.withLockedValue { state in
                    // The cancellation flag is read under the lock that `cancelWaiter` takes, so a
                    // cancellation either is seen here or finds the waiter queued.
                    state.machine.enqueue(id, isCancelled: Task.isCancelled) {
                        // Armed under the lock `expireWaiter` takes, so it always finds the waiter
                        // queued (or gone with its connection). TimeAmount clamps a huge timeout.
                        let timeout = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(
                            in: TimeAmount(options.acquireTimeout)
                        ) { self.expireWaiter(id, file: file, line: line) }
                        return Waiter(continuation: continuation, timeout: timeout)
                    }
                }
                switch action {
                case .lease(let connection):
                    continuation.resume(returning: connection)
                case .failClosed:
                    continuation.resume(throwing: PostgresError(.poolClosed, "the pool is shut down"))
                case .failCancelled:
                    continuation.resume(throwing: CancellationError())
                case .queued(let openConnection):
                    if openConnection { openRequestsContinuation.yield() }
                }
            }
        } onCancel: {
            cancelWaiter(id)
        }
    }

    private func expireWaiter(_ id: Machine.WaiterID, file: String, line: Int) {
        let expired = state.withLockedValue { state in
            state.machine.removeWaiter(id).map { ($0, state.machine.leased, state.machine.opening) }
        }
        guard let (waiter, leased, opening) = expired else { return }
        metrics.poolTimeouts.increment()
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

    private func cancelWaiter(_ id: Machine.WaiterID) {
        guard let waiter = state.withLockedValue({ $0.machine.removeWaiter(id) }) else { return }
        waiter.resume(with: .failure(CancellationError()))
    }

    /// Takes a connection back: to the first waiter, to the idle list, or (when broken, left
    /// inside a transaction, or the pool is closing) closed and, if tasks wait, replaced.
    func release(_ connection: PostgresConnection) {
        let reusable = connection.isReusable
        let (action, statistics) = state.withLockedValue { state in
            (state.machine.release(connection, reusable: reusable), state.machine.statistics)
        }
        if case .close = action, !reusable { logger.debug("db.connection.discarded") }
        perform(action)
        record(statistics)
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
            perform(state.withLockedValue { $0.machine.connectionOpened(connection) })
        } catch {
            metrics.connectionFailures.increment()
            logger.debug("db.connection.failed", metadata: ["db.error.code": "\((error as? PostgresError)?.code.description ?? "other")"])
            let (action, drained) = state.withLockedValue { state in
                let action = state.machine.connectionFailed()
                return (action, state.drainedContinuation(if: action.drained))
            }
            action.failWaiter?.resume(with: .failure(error))
            if action.openConnection { openRequestsContinuation.yield() }
            resumeIfDrained(drained)
        }
        recordGauges()
    }

    /// Carries out what the state machine decided for a connection that came back or opened.
    private func perform(_ action: Machine.ConnectionAction) {
        switch action {
        case .park:
            break
        case .handOver(let connection, let waiter):
            waiter.resume(with: .success(connection))
        case .close(let connection, let openConnection):
            if openConnection { openRequestsContinuation.yield() }
            closeInBackground(connection)
        }
    }

    /// Closes a connection (non-blocking: Terminate is sent without waiting) and updates the count.
    private func closeInBackground(_ connection: PostgresConnection) {
        connection.close()
        resumeIfDrained(state.withLockedValue { $0.drainedContinuation(if: $0.machine.connectionClosed()) })
    }

    /// Stops accepting work: fails the waiters, closes the idle connections; leased ones are
    /// closed as they come back. Idempotent.
    private func beginClose() {
        let (action, drained) = state.withLockedValue { state in
            let action = state.machine.close()
            return (action, state.drainedContinuation(if: action.drained))
        }
        openRequestsContinuation.finish()
        for waiter in action.failWaiters {
            waiter.resume(with: .failure(PostgresError(.poolClosed, "the pool is shutting down")))
        }
        for connection in action.closeConnections { closeInBackground(connection) }
        resumeIfDrained(drained)
    }

    private func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state -> Bool in
                if state.machine.isDrained { return true }
                state.drained = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func resumeIfDrained(_ continuation: CheckedContinuation<Void, Never>?) {
        continuation?.resume()
    }

    private func recordGauges() {
        record(state.withLockedValue { $0.machine.statistics })
    }

    private func record(_ statistics: Machine.Statistics) {
        metrics.leased.record(statistics.leased)
        metrics.connections.record(statistics.open)
        metrics.waiters.record(statistics.waiting)
    }
}
