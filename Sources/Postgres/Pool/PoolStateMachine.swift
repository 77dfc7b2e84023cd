import NIOCore

/// The pool's bookkeeping as a value: idle connections, waiting tasks, how many connections are
/// open, opening, lent out and closing, and whether the pool is closing.
///
/// Each mutating method returns what the pool must do next (use or hand over a connection, open
/// one, close one, fail waiters, report the pool drained). ``PostgresPool`` calls them under its
/// lock and carries the actions out after releasing it, so every rule of the pool can be unit
/// tested without a database, as postgres-nio tests its `PoolStateMachine`. Generic over the
/// connection and the waiter for that reason: the tests use plain values.
///
/// Connections open on demand, one more whenever the waiters outnumber the connections on their
/// way, never more than `maximumConnections` in all. Waiters are served first in, first out; a
/// lease without waiters takes the connection parked last (the one most likely still warm).
struct PoolStateMachine<Connection, Waiter> {
    /// Names a waiting task, so that its timeout or its cancellation removes that one.
    typealias WaiterID = Int

    fileprivate struct Queued {
        var id: WaiterID
        var waiter: Waiter
    }

    /// What ``lease()`` decided.
    enum LeaseAction {
        /// Use this idle connection.
        case lease(Connection)
        /// Nothing is idle: queue the task with ``enqueue(_:isCancelled:makeWaiter:)`` under this
        /// id. `warnNotRunning` is true once, for the first wait before ``startRun()``.
        case wait(WaiterID, warnNotRunning: Bool)
        /// The pool is closed.
        case failClosed
    }

    /// What ``enqueue(_:isCancelled:makeWaiter:)`` decided.
    enum EnqueueAction {
        /// A connection was parked meanwhile: use it (no waiter was made).
        case lease(Connection)
        /// The pool closed meanwhile.
        case failClosed
        /// The task was cancelled before it could queue.
        case failCancelled
        /// The waiter is queued; when `openConnection` is true, open one more connection.
        case queued(openConnection: Bool)
    }

    /// What to do with a connection that came back or was just opened.
    enum ConnectionAction {
        /// It is idle now; nothing to do.
        case park
        /// Resume this waiter (the oldest) with it.
        case handOver(Connection, to: Waiter)
        /// Close it (then call ``connectionClosed()``); when `openConnection` is true, open a
        /// replacement for the waiters.
        case close(Connection, openConnection: Bool)
    }

    /// What ``connectionFailed()`` decided.
    struct FailureAction {
        /// The oldest waiter, to fail with the connect error (callers hear of an outage now,
        /// not at their timeout).
        var failWaiter: Waiter?
        /// Try again for the waiters that remain.
        var openConnection: Bool
        /// The pool is closed and nothing is open any more.
        var drained: Bool
    }

    /// What ``close()`` decided.
    struct CloseAction {
        /// Fail them: the pool is shutting down.
        var failWaiters: [Waiter]
        /// The idle connections, to close (calling ``connectionClosed()`` for each).
        var closeConnections: [Connection]
        /// Nothing was open: the pool is drained already.
        var drained: Bool
    }

    /// The numbers the pool reports (gauges, ``PostgresPool/statistics``).
    struct Statistics: Equatable {
        /// Connections lent out.
        var leased: Int
        /// Connections idle, lent out or opening.
        var open: Int
        /// Tasks waiting for a connection.
        var waiting: Int
    }

    /// The most connections open (or opening) at once.
    let maximumConnections: Int

    private var idle: [Connection] = []
    private var waiters = CircularBuffer<Queued>()
    /// idle + leased + opening.
    private(set) var total = 0
    private(set) var leased = 0
    /// Connections requested and not yet open (queued for the pool's `run()`, or connecting).
    private(set) var opening = 0
    /// Open requests handed to the pool's `run()` and not picked up yet.
    private(set) var queuedOpenRequests = 0
    /// Connections being closed.
    private(set) var closing = 0
    private(set) var isClosed = false
    private var runStarted = false
    private var warnedNotRunning = false
    private var nextWaiterID = 0
    private var reportedDrained = false

    init(maximumConnections: Int) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.maximumConnections = maximumConnections
    }

    var statistics: Statistics { Statistics(leased: leased, open: total, waiting: waiters.count) }

    /// Closed, and every connection is closed: the pool's `run()` may return.
    var isDrained: Bool { isClosed && total == 0 && closing == 0 }

    // MARK: - lifecycle

    /// The pool's `run()` started. False when it had started before (a second `run()`).
    mutating func startRun() -> Bool {
        defer { runStarted = true }
        return !runStarted
    }

    /// The pool's `run()` picked up one open request and is connecting.
    mutating func openRequestStarted() {
        queuedOpenRequests -= 1
    }

    /// The pool's `run()` stopped taking open requests: those still queued will never connect.
    /// Returns true when that drained the pool.
    mutating func abandonQueuedOpenRequests() -> Bool {
        total -= queuedOpenRequests
        opening -= queuedOpenRequests
        queuedOpenRequests = 0
        return reportDrainedOnce()
    }

    /// Stops accepting work: every waiter fails, idle connections close, lent ones close as they
    /// come back, connections still opening close when they open. Idempotent.
    mutating func close() -> CloseAction {
        guard !isClosed else { return CloseAction(failWaiters: [], closeConnections: [], drained: false) }
        isClosed = true
        let failWaiters = waiters.map(\.waiter)
        waiters.removeAll()
        let closeConnections = idle
        idle.removeAll()
        total -= closeConnections.count
        closing += closeConnections.count
        return CloseAction(failWaiters: failWaiters, closeConnections: closeConnections, drained: reportDrainedOnce())
    }

    // MARK: - leasing

    /// A task wants a connection.
    mutating func lease() -> LeaseAction {
        if isClosed { return .failClosed }
        if let connection = idle.popLast() {
            leased += 1
            return .lease(connection)
        }
        nextWaiterID += 1
        let warn = !runStarted && !warnedNotRunning
        if warn { warnedNotRunning = true }
        return .wait(nextWaiterID, warnNotRunning: warn)
    }

    /// Queues the task ``lease()`` told to wait, unless a connection was parked, the pool
    /// closed, or the task was cancelled in the meantime. `makeWaiter` runs only when the task
    /// is queued (the pool arms its acquire timeout there).
    mutating func enqueue(_ id: WaiterID, isCancelled: Bool, makeWaiter: () -> Waiter) -> EnqueueAction {
        if isClosed { return .failClosed }
        if isCancelled { return .failCancelled }
        if let connection = idle.popLast() {
            leased += 1
            return .lease(connection)
        }
        waiters.append(Queued(id: id, waiter: makeWaiter()))
        return .queued(openConnection: openIfNeeded())
    }

    /// Takes a waiter out of the queue (its timeout fired, or its task was cancelled); nil when
    /// it already left with a connection or an error.
    mutating func removeWaiter(_ id: WaiterID) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// A lent connection came back; `reusable` is false when it broke or is inside a transaction.
    mutating func release(_ connection: Connection, reusable: Bool) -> ConnectionAction {
        leased -= 1
        if !reusable || isClosed {
            total -= 1
            closing += 1
            return .close(connection, openConnection: openIfNeeded())
        }
        return handOverOrPark(connection)
    }

    // MARK: - opening and closing

    /// A requested connection is open.
    mutating func connectionOpened(_ connection: Connection) -> ConnectionAction {
        opening -= 1
        if isClosed {
            total -= 1
            closing += 1
            return .close(connection, openConnection: false)
        }
        return handOverOrPark(connection)
    }

    /// A requested connection could not be opened.
    mutating func connectionFailed() -> FailureAction {
        opening -= 1
        total -= 1
        let waiter = waiters.popFirst()?.waiter
        return FailureAction(failWaiter: waiter, openConnection: openIfNeeded(), drained: reportDrainedOnce())
    }

    /// A connection this machine said to close is closed. Returns true when that drained the pool.
    mutating func connectionClosed() -> Bool {
        closing -= 1
        return reportDrainedOnce()
    }

    // MARK: - helpers

    private mutating func handOverOrPark(_ connection: Connection) -> ConnectionAction {
        if let next = waiters.popFirst() {
            leased += 1
            return .handOver(connection, to: next.waiter)
        }
        idle.append(connection)
        return .park
    }

    /// Requests one more connection when the waiters outnumber the connections on their way.
    private mutating func openIfNeeded() -> Bool {
        guard !isClosed, waiters.count > opening, total < maximumConnections else { return false }
        total += 1
        opening += 1
        queuedOpenRequests += 1
        return true
    }

    /// True the first time the pool is found drained, so that its `run()` is resumed once.
    private mutating func reportDrainedOnce() -> Bool {
        guard isDrained, !reportedDrained else { return false }
        reportedDrained = true
        return true
    }
}

extension PoolStateMachine: Sendable where Connection: Sendable, Waiter: Sendable {}
extension PoolStateMachine.Queued: Sendable where Connection: Sendable, Waiter: Sendable {}

// For the unit tests, which compare actions.
extension PoolStateMachine.LeaseAction: Equatable where Connection: Equatable {}
extension PoolStateMachine.EnqueueAction: Equatable where Connection: Equatable {}
extension PoolStateMachine.ConnectionAction: Equatable where Connection: Equatable, Waiter: Equatable {}
