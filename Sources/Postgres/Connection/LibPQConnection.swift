import CLibPQ
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one `PGconn*`, in libpq's non-blocking mode, registered with a ``LibPQEventLoop``.
///
/// Threads: the blocking calls (``connect(configuration:statementCacheSize:eventLoop:)`` and
/// ``reset()``) run on a database thread pool; sending a statement (``perform(id:_:)``)
/// happens on the calling task's thread and never blocks (non-blocking mode); the answer is
/// read on the event loop's thread (``handleReadiness(_:)``), which resumes the task.
///
/// `@unchecked Sendable`: libpq forbids two threads from using one `PGconn` at a time, so
/// every access to `raw` and to all mutable state below happens while holding `lock`, and no
/// call made under it blocks. The exception is ``reset()``, which calls `PQreset` without the
/// lock, on a database thread, while `resetting` keeps every other use away from `raw` (the
/// connection is unregistered from the event loop, and only its owner, the resetting task, uses
/// it otherwise; a concurrent ``close()`` is deferred to the end of the reset). `raw` is `nil` once closed, so later
/// calls throw instead of touching freed memory. The `PGcancel*`, which libpq lets another
/// thread use while a statement runs, is guarded by `cancelLock`; the running statement's id
/// by `queryState`.
final class LibPQConnection: @unchecked Sendable {
    private let lock = NIOLock()
    private var raw: OpaquePointer?
    private var statements: PreparedStatementCache
    private var reusable = true
    /// The server closed the connection, or spoke unasked while it was idle: reset before use.
    private var dead = false
    private var registered = false
    /// ``reset()`` is reconnecting, without `lock`: nothing else may touch `raw`.
    private var resetting = false
    /// ``close()`` was called during a reset; the reset closes the connection when it ends.
    private var closeAfterReset = false
    private var wantsWrite = false
    private var pending: Pending?
    /// A pipeline in flight (``performPipeline(id:steps:syncAfter:)``); never at once with `pending`.
    private var pipelined: PendingPipeline?
    /// `PQtransactionStatus` after the last statement, cached so callers need no libpq call.
    private var lastTransactionStatus = PQTRANS_IDLE
    private(set) var backendPID: Int32 = 0
    /// For a LISTEN connection: called on the event loop thread with each batch of notifications.
    private var onNotifications: (@Sendable ([(channel: String, payload: String)]) -> Void)?
    /// For a LISTEN connection: called once when the connection is found broken.
    private var onLost: (@Sendable (UInt64) -> Void)?
    /// The connection string, kept only to scrub libpq messages.
    private let connectionString: String?
    private let eventLoop: LibPQEventLoop

    /// Identifies the connection in its event loop.
    let token: UInt64
    private static let tokens = NIOLockedValueBox<UInt64>(0)

    private let cancelLock = NIOLock()
    private var cancelHandle: OpaquePointer?

    private struct QueryState {
        var nextID: UInt64 = 1
        var running: UInt64?
        /// A statement cancelled before it was sent; it will not be.
        var cancelledBeforeStart: UInt64?
        /// A statement a cancel was requested for while it ran (a `PQcancel` may be on the wire).
        var cancelRequested: UInt64?
        /// A statement a `PQcancel` was sent for: its `57014` means "cancelled by us".
        var cancelSent: UInt64?
    }
    private let queryState = NIOLockedValueBox(QueryState())

    /// A statement in flight: the results read so far and the task waiting for them.
    private struct Pending {
        var id: UInt64
        var continuation: CheckedContinuation<LibPQResult, any Error>
        var lastResult: LibPQResult?
        var firstError: LibPQResult?
    }

    /// A pipeline in flight: each step's answer so far and the task waiting for all of them.
    private struct PendingPipeline {
        var continuation: CheckedContinuation<[PipelineStepAnswer], any Error>
        var answers: [PipelineStepAnswer]
        /// The step whose results are being read.
        var step = 0
        /// Whether a result of `step` has been read (the NULL that follows ends it).
        var stepAnswered = false
        /// The steps a Sync followed, in order: each ends one implicit transaction.
        var syncPoints: [Int]
        /// The implicit transaction whose results are being read, and its first step.
        var segment = 0
        var segmentStart = 0
    }

    /// What one step of a pipeline answered.
    enum PipelineStepAnswer: Sendable {
        case succeeded(LibPQResult)
        case failed(PostgresError)
        /// Not run: an earlier step of its implicit transaction failed (`PGRES_PIPELINE_ABORTED`).
        case skipped
    }

    private init(
        raw: OpaquePointer,
        connectionString: String?,
        statementCacheSize: Int,
        eventLoop: LibPQEventLoop
    ) {
        self.raw = raw
        self.connectionString = connectionString
        self.statements = PreparedStatementCache(capacity: statementCacheSize)
        self.eventLoop = eventLoop
        self.token = Self.tokens.withLockedValue { value in
            value &+= 1
            return value
        }
        self.backendPID = PQbackendPID(raw)
        self.cancelHandle = PQgetCancel(raw)
        PQsetNoticeProcessor(raw, { _, _ in }, nil)
    }

    deinit {
        if let raw { PQfinish(raw) }
        if let cancelHandle { PQfreeCancel(cancelHandle) }
    }

    // MARK: connecting, resetting, closing

    /// Connects with `PQconnectdbParams(…, expand_dbname: 1)`, switches to non-blocking mode
    /// and registers with `eventLoop`. Blocks (at most the connect timeout): call it on a
    /// database thread.
    static func connect(
        configuration: PostgresConfiguration,
        statementCacheSize: Int,
        eventLoop: LibPQEventLoop,
        onNotifications: (@Sendable ([(channel: String, payload: String)]) -> Void)? = nil,
        onLost: (@Sendable (UInt64) -> Void)? = nil
    ) throws -> LibPQConnection {
        let parameters = try ConnectionString.connectParameters(for: configuration)
        let raw: OpaquePointer? = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let raw else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = PQerrorMessage(raw).map { String(cString: $0) } ?? "unknown error"
            PQfinish(raw)  // libpq requires it even for a failed connection
            throw PostgresError(
                .connectionFailed,
                ConnectionString.scrub(message, connectionString: configuration.connectionString)
            )
        }
        if configuration.throughTransactionPooler, let problem = unsupportedSessionSetting(raw) {
            PQfinish(raw)
            throw PostgresError(.invalidConfiguration, problem)
        }
        guard PQsetnonblocking(raw, 1) == 0 else {
            PQfinish(raw)
            throw PostgresError(.connectionFailed, "libpq could not switch the connection to non-blocking mode")
        }
        let connection = LibPQConnection(
            raw: raw,
            connectionString: configuration.connectionString,
            // Named statements live in one server session, which a transaction pooler does not keep.
            statementCacheSize: configuration.throughTransactionPooler ? 0 : statementCacheSize,
            eventLoop: eventLoop
        )
        connection.lock.withLock {
            connection.onNotifications = onNotifications
            connection.onLost = onLost
            connection.registered = true
        }
        eventLoop.register(connection)
        return connection
    }

    /// Reconnects in place with `PQreset` (same parameters). Blocks: call it on a database
    /// thread. `lock` is not held while `PQreset` blocks (the event loop may still hold this
    /// connection in its poll set until it next looks, and must not wait for the reconnect):
    /// the connection is unregistered first, and only its owner, which is resetting it, may use
    /// it meanwhile. A ``close()`` that comes in the meantime is carried out when the reset ends.
    func reset() throws {
        assert(!eventLoop.inLoopThread, "PQreset blocks: it must never run on the event loop")
        let conn = try lock.withLock { () -> OpaquePointer in
            guard let conn = raw, !resetting else { throw PostgresError(.connectionClosed, "the connection is closed") }
            if registered {
                registered = false
                eventLoop.unregister(token)
            }
            resetting = true
            return conn
        }
        PQsetnonblocking(conn, 0)
        PQreset(conn)
        let connected = PQstatus(conn) == CONNECTION_OK && PQsetnonblocking(conn, 1) == 0
        let newCancel = connected ? PQgetCancel(conn) : nil
        let failure = lock.withLock { () -> PostgresError? in
            resetting = false
            statements.removeAll()
            if closeAfterReset {
                finishClosing()
                return PostgresError(.connectionClosed, "the connection was closed")
            }
            guard connected else {
                reusable = false
                dead = true
                let message = PQerrorMessage(conn).map { String(cString: $0) } ?? "unknown error"
                return PostgresError(.connectionFailed, ConnectionString.scrub(message, connectionString: connectionString))
            }
            backendPID = PQbackendPID(conn)
            lastTransactionStatus = PQTRANS_IDLE
            dead = false
            reusable = true
            wantsWrite = false
            registered = true
            eventLoop.register(self)
            return nil
        }
        if failure == nil {
            // On a database thread, so it may wait for a `PQcancel` still using the old handle.
            cancelLock.withLock {
                if let cancelHandle { PQfreeCancel(cancelHandle) }
                cancelHandle = newCancel
            }
        } else if let newCancel {
            PQfreeCancel(newCancel)
        }
        if let failure { throw failure }
    }

    /// Unregisters, sends Terminate (without blocking) and frees the connection; a statement
    /// still waiting fails with ``PostgresError/Code/connectionClosed``. Idempotent, and never
    /// waits: a `PQcancel` in flight keeps its handle until it is done.
    func close() {
        let (orphan, orphanPipeline) = lock.withLock { () -> (Pending?, PendingPipeline?) in
            if resetting {
                closeAfterReset = true
                return (nil, nil)
            }
            finishClosing()
            defer {
                pending = nil
                pipelined = nil
            }
            return (pending, pipelined)
        }
        freeCancelHandle()
        let closed = PostgresError(.connectionClosed, "the connection was closed")
        orphan?.continuation.resume(throwing: closed)
        orphanPipeline?.continuation.resume(throwing: closed)
    }

    /// Unregisters and frees the `PGconn`. Call with `lock` held, not while resetting.
    private func finishClosing() {
        if registered {
            registered = false
            eventLoop.unregister(token)
        }
        if let raw {
            PQfinish(raw)
            self.raw = nil
        }
        reusable = false
    }

    /// Frees the `PGcancel*` on a helper thread: a `PQcancel` using it may be in flight (it
    /// holds `cancelLock` while it talks to the server), and the caller must not wait for it.
    private func freeCancelHandle() {
        NIOThreadPool.singleton.submit { [self] _ in
            cancelLock.withLock {
                if let cancelHandle { PQfreeCancel(cancelHandle) }
                cancelHandle = nil
            }
        }
    }

    // MARK: health (no blocking)

    /// Whether the pool may hand this connection out again: open, `CONNECTION_OK`, idle (no
    /// transaction left open), as recorded after the last statement.
    var isReusable: Bool { lock.withLock { raw != nil && reusable && !dead && pending == nil && pipelined == nil } }

    /// What to do before the next statement.
    enum Readiness {
        /// Send it.
        case ready
        /// The connection died while no transaction was open: ``reset()`` it, then send.
        case reset
        /// The connection died inside a transaction: that transaction is gone, so the
        /// statement must fail (reconnecting would run it outside the transaction).
        case lost
    }

    /// Whether the connection can take the next statement. The event loop watches idle
    /// connections and marks one dead as soon as the server speaks on it unasked (a FATAL
    /// before closing: restart, `pg_terminate_backend`, idle timeout). It may not have run yet
    /// when the next statement comes, so an idle connection also reads what already arrived:
    /// one non-blocking `recv` (libpq's non-blocking mode), which finds the closed connection
    /// before a statement is sent into it.
    func readiness() -> Readiness {
        lock.withLock {
            guard let conn = raw else { return .ready }  // perform() reports a closed connection
            // Not a listening connection: its notifications are the event loop's to read.
            if !dead, registered, pending == nil, pipelined == nil, onNotifications == nil, lastTransactionStatus == PQTRANS_IDLE,
                PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK
            {
                markDead()
            }
            guard dead else { return .ready }
            return lastTransactionStatus == PQTRANS_IDLE ? .reset : .lost
        }
    }

    /// `PQtransactionStatus` after the last statement (cached; no libpq call).
    func transactionStatus() -> PGTransactionStatusType {
        lock.withLock { raw == nil ? PQTRANS_UNKNOWN : lastTransactionStatus }
    }

    /// Marks the connection dead and stops watching it. Call with `lock` held.
    private func markDead() {
        dead = true
        reusable = false
        if registered {
            registered = false
            eventLoop.unregister(token)
        }
    }

    // MARK: statements

    /// The name of the prepared statement for `query`, and whether it must be prepared first.
    /// When the cache is full the least recently used statement is forgotten (its name is
    /// returned so the caller can `DEALLOCATE` it).
    func preparedStatement(for query: SQLQuery) -> (name: String, isNew: Bool, evicted: String?)? {
        lock.withLock {
            guard statements.capacity > 0 else { return nil }
            let key = PreparedStatementCache.Key(sql: query.sql, types: query.binds.typeOIDs)
            if let name = statements.lookup(key) { return (name, false, nil) }
            let evicted = statements.evictIfFull()
            return (statements.nextName(), true, evicted)
        }
    }

    /// Records a statement prepared on the server.
    func rememberPrepared(_ query: SQLQuery, name: String) {
        lock.withLock {
            statements.insert(PreparedStatementCache.Key(sql: query.sql, types: query.binds.typeOIDs), name: name)
        }
    }

    /// Sends one statement with `send` (a `PQsend…` call, which does not block in non-blocking
    /// mode) and suspends until the event loop has read the whole answer. Several results (a
    /// simple-protocol script) yield the last one, or the first error.
    func perform(id: UInt64, _ send: (OpaquePointer) -> Int32) async throws -> LibPQResult {
        do {
            let result = try await sendAndWait(id: id, send)
            await endQuery(id)
            return result
        } catch {
            await endQuery(id)
            throw error
        }
    }

    private func sendAndWait(id: UInt64, _ send: (OpaquePointer) -> Int32) async throws -> LibPQResult {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<LibPQResult, any Error>) in
            var needsWake = false
            let failure: (any Error)? = lock.withLock {
                guard let conn = raw else { return PostgresError(.connectionClosed, "the connection is closed") }
                if dead || resetting { return PostgresError(.connectionLost, "the server closed the connection") }
                guard pending == nil, pipelined == nil else {
                    return PostgresError(
                        .connectionBusy,
                        "a statement is already running on this connection (use one connection per task)"
                    )
                }
                do { try beginQuery(id) } catch { return error }
                guard send(conn) == 1 else {
                    let message = PQerrorMessage(conn).map { String(cString: $0) } ?? "could not send"
                    if PQstatus(conn) != CONNECTION_OK { markDead() }
                    return PostgresError(.connectionLost, ConnectionString.scrubLostConnection(message, connectionString: connectionString))
                }
                guard flushSent(conn, needsWake: &needsWake) else {
                    return PostgresError(.connectionLost, "the statement could not be sent")
                }
                pending = Pending(id: id, continuation: continuation)
                return nil
            }
            if let failure { continuation.resume(throwing: failure) }
            if needsWake { eventLoop.interestChanged() }
        }
    }

    /// Flushes what was just queued, without blocking; what does not fit in the socket now is
    /// left for the event loop (`needsWake`). False when the connection broke (it is marked dead).
    /// Call with `lock` held.
    private func flushSent(_ conn: OpaquePointer, needsWake: inout Bool) -> Bool {
        let flushed = PQflush(conn)
        if flushed < 0 {
            markDead()
            return false
        }
        if flushed == 1 {
            wantsWrite = true
            needsWake = true
        }
        return true
    }

    /// The socket and whether the event loop should wait for writability; nil when closed.
    func pollInterest() -> (Int32, Bool)? {
        lock.withLock {
            guard let conn = raw, registered else { return nil }
            let socket = PQsocket(conn)
            return socket < 0 ? nil : (socket, wantsWrite)
        }
    }

    /// Called on the event loop thread when the socket is ready: flushes pending output,
    /// reads what arrived, and completes the waiting statement once its answer is whole.
    func handleReadiness(_ events: Int16) {
        var completion: (() -> Void)?
        var notifications: [(channel: String, payload: String)] = []
        var lost: (@Sendable (UInt64) -> Void)?
        var deliver: (@Sendable ([(channel: String, payload: String)]) -> Void)?
        lock.withLock {
            guard let conn = raw, registered else { return }
            if events & Int16(POLLOUT) != 0, wantsWrite {
                let flushed = PQflush(conn)
                if flushed <= 0 {
                    wantsWrite = false
                    eventLoop.interestChanged()
                }
            }
            guard events & Int16(POLLIN | POLLERR | POLLHUP | POLLNVAL) != 0 else { return }
            if let pipeline = pipelined {
                completion = readPipeline(pipeline, conn: conn)
                if completion != nil {
                    notifications = drainNotifications(conn)
                    deliver = onNotifications
                    if dead {
                        lost = onLost
                        onLost = nil
                    }
                }
                return
            }
            guard var operation = pending else {
                // Nothing asked: a LISTEN connection's notifications, or the server about to close.
                if let onNotifications, PQconsumeInput(conn) == 1, PQstatus(conn) == CONNECTION_OK {
                    notifications = drainNotifications(conn)
                    deliver = onNotifications
                } else {
                    markDead()
                    lost = onLost
                    onLost = nil
                }
                return
            }
            if PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK {
                let message = PQerrorMessage(conn).map { String(cString: $0) } ?? "connection lost"
                pending = nil
                markDead()
                lost = onLost
                onLost = nil
                let error = PostgresError(
                    .connectionLost,
                    ConnectionString.scrubLostConnection(message, connectionString: connectionString),
                    sqlState: operation.firstError?.errorField(Int32(CLIBPQ_DIAG_SQLSTATE))
                )
                completion = { operation.continuation.resume(throwing: error) }
                return
            }
            while PQisBusy(conn) == 0 {
                guard let next = PQgetResult(conn) else {
                    pending = nil
                    let outcome = Result { try finish(operation, conn: conn) }
                    notifications = drainNotifications(conn)
                    deliver = onNotifications
                    completion = { operation.continuation.resume(with: outcome) }
                    return
                }
                let result = LibPQResult(next)
                switch result.status {
                case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
                    if operation.firstError == nil { operation.firstError = result }
                default:
                    operation.lastResult = result
                }
            }
            pending = operation
        }
        completion?()
        if let deliver, !notifications.isEmpty { deliver(notifications) }
        lost?(token)
    }

    // MARK: pipelines

    /// Sends every step (a `PQsend…` call of the extended protocol) in libpq's pipeline mode, with
    /// a Sync after each step whose index is in `syncAfter` and after the last, and suspends until
    /// every answer is read: one round trip for all. The steps between two Syncs run in one
    /// implicit transaction, committed at the Sync: when one fails, the rest up to that Sync are
    /// skipped and the transaction is rolled back. Not cancellable (its callers write for others).
    func performPipeline(id: UInt64, steps: [(OpaquePointer) -> Int32], syncAfter: Set<Int>) async throws -> [PipelineStepAnswer] {
        do {
            let answers = try await sendPipelineAndWait(id: id, steps: steps, syncAfter: syncAfter)
            await endQuery(id)
            return answers
        } catch {
            await endQuery(id)
            throw error
        }
    }

    private func sendPipelineAndWait(
        id: UInt64,
        steps: [(OpaquePointer) -> Int32],
        syncAfter: Set<Int>
    ) async throws -> [PipelineStepAnswer] {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[PipelineStepAnswer], any Error>) in
            var needsWake = false
            let failure: (any Error)? = lock.withLock {
                guard let conn = raw else { return PostgresError(.connectionClosed, "the connection is closed") }
                if dead || resetting { return PostgresError(.connectionLost, "the server closed the connection") }
                guard pending == nil, pipelined == nil else {
                    return PostgresError(.connectionBusy, "a statement is already running on this connection (use one connection per task)")
                }
                do { try beginQuery(id) } catch { return error }
                guard PQenterPipelineMode(conn) == 1 else {
                    return PostgresError(.unexpectedResult, "the connection could not enter pipeline mode")
                }
                var syncPoints: [Int] = []
                for (index, send) in steps.enumerated() {
                    // A failed send leaves the pipeline half queued: the connection is reset before reuse.
                    guard send(conn) == 1 else {
                        markDead()
                        return PostgresError(.connectionLost, "the pipeline could not be sent")
                    }
                    if syncAfter.contains(index) || index == steps.count - 1 {
                        guard PQpipelineSync(conn) == 1 else {
                            markDead()
                            return PostgresError(.connectionLost, "the pipeline could not be sent")
                        }
                        syncPoints.append(index)
                    }
                }
                guard flushSent(conn, needsWake: &needsWake) else {
                    return PostgresError(.connectionLost, "the pipeline could not be sent")
                }
                pipelined = PendingPipeline(
                    continuation: continuation,
                    answers: Array(repeating: .skipped, count: steps.count),
                    syncPoints: syncPoints
                )
                return nil
            }
            if let failure { continuation.resume(throwing: failure) }
            if needsWake { eventLoop.interestChanged() }
        }
    }

    /// Reads what arrived for the pipeline in flight; returns the completion that resumes its
    /// task once the last Sync is in (nil while answers are still due). Call with `lock` held.
    private func readPipeline(_ start: PendingPipeline, conn: OpaquePointer) -> (() -> Void)? {
        var pipeline = start
        if PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK {
            let message = PQerrorMessage(conn).map { String(cString: $0) } ?? "connection lost"
            pipelined = nil
            markDead()
            let error = PostgresError(.connectionLost, ConnectionString.scrubLostConnection(message, connectionString: connectionString))
            return { pipeline.continuation.resume(throwing: error) }
        }
        var nullsInARow = 0
        while PQisBusy(conn) == 0 {
            guard let next = PQgetResult(conn) else {
                // The end of one step's results. Two in a row: nothing more has arrived yet.
                nullsInARow += 1
                if pipeline.stepAnswered {
                    pipeline.step += 1
                    pipeline.stepAnswered = false
                }
                if nullsInARow > 1 { break }
                continue
            }
            nullsInARow = 0
            let result = LibPQResult(next)
            switch result.status {
            case PGRES_PIPELINE_SYNC:
                pipeline.segmentStart = pipeline.syncPoints[pipeline.segment] + 1
                pipeline.segment += 1
                guard pipeline.segment == pipeline.syncPoints.count else { continue }
                pipelined = nil
                if PQexitPipelineMode(conn) != 1 { markDead() }
                let connectionOK = PQstatus(conn) == CONNECTION_OK
                lastTransactionStatus = PQtransactionStatus(conn)
                reusable = connectionOK && !dead && lastTransactionStatus == PQTRANS_IDLE
                let answers = pipeline.answers
                return { pipeline.continuation.resume(returning: answers) }
            case PGRES_PIPELINE_ABORTED:
                pipeline.stepAnswered = true
            case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
                let failure = PipelineStepAnswer.failed(
                    error(from: result, conn: conn, connectionOK: PQstatus(conn) == CONNECTION_OK, id: 0) as? PostgresError
                        ?? PostgresError(.server, "the server rejected the statement")
                )
                let segmentEnd = pipeline.syncPoints[pipeline.segment]
                if pipeline.step > segmentEnd {
                    // After the transaction's last step, before its Sync: the COMMIT failed (a
                    // deferred constraint, the NOTIFY queue full), so every step of it was undone.
                    for step in pipeline.segmentStart...segmentEnd { pipeline.answers[step] = failure }
                } else {
                    if !pipeline.stepAnswered { pipeline.answers[pipeline.step] = failure }
                    pipeline.stepAnswered = true
                }
            default:
                if pipeline.step < pipeline.answers.count, !pipeline.stepAnswered {
                    pipeline.answers[pipeline.step] = .succeeded(result)
                }
                pipeline.stepAnswered = true
            }
        }
        pipelined = pipeline
        return nil
    }

    /// Records the connection's health and turns the answer into a result or an error
    /// (`CancellationError` when we cancelled it). Call with `lock` held.
    private func finish(_ operation: Pending, conn: OpaquePointer) throws -> LibPQResult {
        let connectionOK = PQstatus(conn) == CONNECTION_OK
        lastTransactionStatus = PQtransactionStatus(conn)
        reusable = connectionOK && lastTransactionStatus == PQTRANS_IDLE
        if let failed = operation.firstError {
            throw error(from: failed, conn: conn, connectionOK: connectionOK, id: operation.id)
        }
        guard let result = operation.lastResult else {
            throw PostgresError(.unexpectedResult, "the server sent no result")
        }
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        default:
            // COPY and pipeline states are not used through this API.
            throw PostgresError(.unexpectedResult, "unexpected result status \(result.status.rawValue)")
        }
    }

    private func error(from result: LibPQResult, conn: OpaquePointer, connectionOK: Bool, id: UInt64) -> any Error {
        let sqlState = result.errorField(Int32(CLIBPQ_DIAG_SQLSTATE))
        let message = result.errorField(Int32(CLIBPQ_DIAG_MESSAGE_PRIMARY))
        if sqlState == "57014", queryState.withLockedValue({ $0.cancelSent == id }) {
            return CancellationError()
        }
        if !connectionOK {
            let text = PQerrorMessage(conn).map { String(cString: $0) } ?? "connection lost"
            return PostgresError(
                .connectionLost,
                ConnectionString.scrubLostConnection(text, connectionString: connectionString),
                sqlState: sqlState
            )
        }
        if sqlState == "0A000" || sqlState == "26000" {
            // "cached plan must not change result type" after a schema change, or a prepared
            // statement the server no longer has: prepare afresh next time.
            statements.removeAll()
        }
        let summary: String
        if let sqlState, let message, SQLState.messageIsSafe(sqlState) {
            summary = ConnectionString.oneLine(message)
        } else {
            summary = "the server rejected the statement"
        }
        return PostgresError(
            .server,
            summary,
            sqlState: sqlState,
            constraintName: result.errorField(Int32(CLIBPQ_DIAG_CONSTRAINT_NAME)),
            tableName: result.errorField(Int32(CLIBPQ_DIAG_TABLE_NAME)),
            columnName: result.errorField(Int32(CLIBPQ_DIAG_COLUMN_NAME)),
            serverMessage: message
        )
    }

    private func drainNotifications(_ conn: OpaquePointer) -> [(channel: String, payload: String)] {
        var received: [(channel: String, payload: String)] = []
        while let notification = PQnotifies(conn) {
            received.append((String(cString: notification.pointee.relname), String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }

    // MARK: cancellation

    /// A fresh id for the next statement on this connection.
    func nextQueryID() -> UInt64 {
        queryState.withLockedValue { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
    }

    private func beginQuery(_ id: UInt64) throws {
        try queryState.withLockedValue { state in
            if state.cancelledBeforeStart == id {
                state.cancelledBeforeStart = nil
                throw CancellationError()
            }
            state.running = id
        }
    }

    /// Marks statement `id` over. Never on the event loop (which must not wait for a cancel):
    /// the statement's own task calls it once its answer is in. When a cancel of it was
    /// requested, waits, off the cooperative threads, for `cancelLock`, so that a `PQcancel`
    /// already on the wire finishes before the next statement on this connection is sent.
    private func endQuery(_ id: UInt64) async {
        let cancelRequested = queryState.withLockedValue { state -> Bool in
            if state.cancelRequested == id { return true }
            if state.running == id { state.running = nil }
            return false
        }
        guard cancelRequested else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            NIOThreadPool.singleton.submit { [self] _ in
                cancelLock.withLock {
                    queryState.withLockedValue { state in
                        if state.running == id { state.running = nil }
                        if state.cancelSent == id { state.cancelSent = nil }
                        if state.cancelRequested == id { state.cancelRequested = nil }
                    }
                }
                continuation.resume()
            }
        }
    }

    /// Cancels statement `id` if it is running (with `PQcancel`, on a thread that is neither a
    /// cooperative one nor the event loop), or prevents it from being sent. A request for a
    /// statement that already finished does nothing, so a late cancellation can never hit the
    /// next statement on this connection.
    func requestCancel(_ id: UInt64) {
        let running = queryState.withLockedValue { state -> Bool in
            if state.running == id {
                state.cancelRequested = id
                return true
            }
            state.cancelledBeforeStart = id
            return false
        }
        guard running else { return }
        NIOThreadPool.singleton.submit { [self] _ in
            cancelLock.withLock {
                let stillRunning = queryState.withLockedValue { state -> Bool in
                    guard state.running == id else { return false }
                    state.cancelSent = id
                    return true
                }
                guard stillRunning, let cancelHandle else { return }
                var buffer = [CChar](repeating: 0, count: 256)
                _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
            }
        }
    }

    // MARK: LISTEN support

    /// Quotes an identifier with `PQescapeIdentifier` (no I/O).
    func escapeIdentifier(_ name: String) throws -> String {
        try lock.withLock {
            guard let conn = raw, !resetting else { throw PostgresError(.connectionClosed, "the connection is closed") }
            let utf8 = Array(name.utf8)
            guard
                let escaped = utf8.withUnsafeBufferPointer({ buffer in
                    buffer.withMemoryRebound(to: CChar.self) { PQescapeIdentifier(conn, $0.baseAddress, $0.count) }
                })
            else {
                throw PostgresError(.encoding, "the identifier cannot be quoted")
            }
            defer { PQfreemem(escaped) }
            return String(cString: escaped)
        }
    }
}

/// Calls `body` with NUL-terminated copies of `strings` followed by a `nil` entry; the
/// pointers are valid only inside `body`.
func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let owned = strings.map { strdup($0)! }
    defer { for pointer in owned { free(pointer) } }
    return try body(owned.map { UnsafePointer($0) } + [nil])
}
