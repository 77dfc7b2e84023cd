import CLibPQ
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One PostgreSQL connection (a libpq `PGconn`).
///
/// Usually borrowed from a ``PostgresPool`` inside `withConnection` or `withTransaction`;
/// it must not escape that closure. Statements on one connection run one at a time.
///
/// No libpq call that can block runs on Swift's cooperative threads: connecting and
/// reconnecting run on a database thread pool; statements use libpq's non-blocking API (the
/// task sends, an event-loop thread reads the answer and resumes the task). Cancelling the
/// calling task cancels the running statement (`PQcancel`) and throws `CancellationError`;
/// the connection stays usable.
public final class PostgresConnection: Sendable {
    let handle: LibPQConnection
    let threadPool: NIOThreadPool
    let logger: Logger
    let metrics: PostgresMetrics
    /// A process-wide number for logs (`db.connection.id`).
    public let id: Int

    private static let ids = NIOLockedValueBox(0)

    private init(handle: LibPQConnection, threadPool: NIOThreadPool, logger: Logger, metrics: PostgresMetrics) {
        self.handle = handle
        self.threadPool = threadPool
        self.metrics = metrics
        id = Self.ids.withLockedValue { value in
            value += 1
            return value
        }
        var logger = logger
        logger[metadataKey: "db.connection.id"] = "\(id)"
        self.logger = logger
    }

    /// Opens a connection: the blocking connect runs on `threadPool`, then the connection is
    /// watched by `eventLoop`.
    static func connect(
        configuration: PostgresConfiguration,
        threadPool: NIOThreadPool,
        eventLoop: LibPQEventLoop,
        statementCacheSize: Int,
        logger: Logger,
        metrics: PostgresMetrics,
        onNotifications: (@Sendable ([(channel: String, payload: String)]) -> Void)? = nil,
        onLost: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> PostgresConnection {
        // The connection string is parsed (and checked) on the database thread, like every blocking libpq call.
        let handle = try await runBlocking(on: threadPool) {
            try LibPQConnection.connect(
                configuration: configuration,
                statementCacheSize: statementCacheSize,
                eventLoop: eventLoop,
                onNotifications: onNotifications,
                onLost: onLost
            )
        }
        let connection = PostgresConnection(handle: handle, threadPool: threadPool, logger: logger, metrics: metrics)
        connection.logger.debug("db.connection.opened", metadata: ["db.backend.pid": "\(handle.backendPID)"])
        return connection
    }

    /// Opens a connection with its own database thread and event loop, runs `body`, then
    /// closes them all. For short-lived tools (`migrate`) and tests; services use a ``PostgresPool``.
    @discardableResult
    public static func withConnection<Result>(
        configuration: PostgresConfiguration,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let eventLoop = LibPQEventLoop()
        eventLoop.start()
        let outcome: Swift.Result<Result, any Error>
        do {
            let connection = try await connect(
                configuration: configuration,
                threadPool: threadPool,
                eventLoop: eventLoop,
                statementCacheSize: 16,
                logger: logger,
                metrics: PostgresMetrics(factory: nil)
            )
            do {
                outcome = .success(try await body(connection))
            } catch {
                outcome = .failure(error)
            }
            connection.close()
        } catch {
            outcome = .failure(error)
        }
        await eventLoop.shutdown()
        try? await threadPool.shutdownGracefully()
        return try outcome.get()
    }

    /// The server process serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 { handle.backendPID }

    // MARK: statements

    /// Runs a statement and returns its rows.
    public func query(_ query: SQLQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRows {
        PostgresRows(try await run(query, file: file, line: line))
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery, file: String = #fileID, line: Int = #line) async throws -> Int {
        try await run(query, file: file, line: line).affectedRows
    }

    /// Sends a notification with `SELECT pg_notify(channel, payload)`; both are bound
    /// parameters. Inside a transaction it is delivered at commit.
    public func notify(channel: String, payload: String = "", file: String = #fileID, line: Int = #line) async throws {
        try await execute("SELECT pg_notify(\(channel), \(payload))", file: file, line: line)
    }

    private func run(_ query: SQLQuery, file: String, line: Int) async throws -> LibPQResult {
        if let failure = query.binds.encodingFailure {
            throw PostgresError(.encoding, failure, file: file, line: line)
        }
        let handle = self.handle
        // Before the cache lookup: a reconnect empties the cache.
        try await prepareForUse()
        guard let statement = handle.preparedStatement(for: query) else {
            return try await measured(file: file, line: line) { conn in query.sendUnnamed(on: conn) }
        }
        if let evicted = statement.evicted {
            // Best effort: a failure only leaves the statement on the server until it disconnects.
            _ = try? await measured(file: file, line: line) { conn in PQsendQuery(conn, "DEALLOCATE \(evicted)") }
        }
        if statement.isNew {
            _ = try await measured(file: file, line: line) { conn in query.sendPrepare(on: conn, name: statement.name) }
            handle.rememberPrepared(query, name: statement.name)
        }
        return try await measured(file: file, line: line) { conn in query.sendPrepared(on: conn, name: statement.name) }
    }

    /// Runs `queries` in one round trip (libpq's pipeline mode) and answers each one's rows or
    /// error, in order.
    ///
    /// - Parameter oneTransaction: true: they run in one implicit transaction, committed after the
    ///   last; when one fails, the ones after it are not run (`25P02`) and the transaction is
    ///   rolled back. false: each runs in its own, as if sent one by one.
    ///   A query whose values could not be encoded is not sent (it answers ``PostgresError/Code/encoding``)
    ///   and does not count as a failure of the transaction: callers that need all-or-nothing
    ///   leave such queries out (``GroupCommit`` does).
    func pipeline(_ queries: [SQLQuery], oneTransaction: Bool) async throws -> [Result<PostgresRows, PostgresError>] {
        let handle = self.handle
        try await prepareForUse()
        var steps: [(OpaquePointer) -> Int32] = []
        var syncAfter = Set<Int>()
        var executeStep: [Int?] = []
        var prepares: [(step: Int, query: SQLQuery, name: String)] = []
        var preparedHere: [PreparedStatementCache.Key: String] = [:]
        var evicted: [String] = []
        for query in queries {
            guard query.binds.encodingFailure == nil else {
                executeStep.append(nil)
                continue
            }
            // A statement new to this connection is prepared once, ahead of its first use here.
            let key = PreparedStatementCache.Key(sql: query.sql, types: query.binds.typeOIDs)
            let preparedName =
                preparedHere[key]
                ?? handle.preparedStatement(for: query).map { statement in
                    if statement.isNew {
                        preparedHere[key] = statement.name
                        if let name = statement.evicted { evicted.append(name) }
                        prepares.append((steps.count, query, statement.name))
                        steps.append { conn in query.sendPrepare(on: conn, name: statement.name) }
                    }
                    return statement.name
                }
            if let name = preparedName {
                steps.append { conn in query.sendPrepared(on: conn, name: name) }
            } else {
                steps.append { conn in query.sendUnnamed(on: conn) }
            }
            executeStep.append(steps.count - 1)
            if !oneTransaction { syncAfter.insert(steps.count - 1) }
        }
        let start = NIODeadline.now()
        let answers = steps.isEmpty ? [] : try await handle.performPipeline(id: handle.nextQueryID(), steps: steps, syncAfter: syncAfter)
        metrics.queryDuration.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
        for prepare in prepares {
            if case .succeeded = answers[prepare.step] { handle.rememberPrepared(prepare.query, name: prepare.name) }
        }
        for name in evicted {
            // Best effort, as in a single statement's eviction.
            _ = try? await executeSimple("DEALLOCATE \(name)")
        }
        return zip(queries, executeStep).map { query, step in
            guard let step else { return .failure(PostgresError(.encoding, query.binds.encodingFailure ?? "a value could not be encoded")) }
            switch answers[step] {
            case .succeeded(let result): return .success(PostgresRows(result))
            case .failed(let error):
                metrics.queryErrors(error.code).increment()
                return .failure(error)
            case .skipped:
                return .failure(
                    PostgresError(.server, "not run: an earlier statement of its transaction failed", sqlState: "25P02")
                )
            }
        }
    }

    /// Runs SQL text without parameters (several statements allowed) with the simple query
    /// protocol. Internal: transaction control and migration files only.
    @discardableResult
    func executeSimple(_ sql: String, file: String = #fileID, line: Int = #line) async throws -> LibPQResult {
        try await prepareForUse()
        return try await measured(file: file, line: line) { conn in PQsendQuery(conn, sql) }
    }

    /// Like ``executeSimple(_:file:line:)`` but not cancellable: for `ROLLBACK` and other
    /// clean-up that must run even when the task was cancelled.
    @discardableResult
    func executeSimpleIgnoringCancellation(_ sql: String) async throws -> LibPQResult {
        try await prepareForUse()
        return try await handle.perform(id: handle.nextQueryID()) { conn in PQsendQuery(conn, sql) }
    }

    /// Reconnects first (on the database thread) when the server closed the connection while
    /// no transaction was open; nothing of the caller's has been sent yet, so this is safe.
    /// Inside a transaction a lost connection fails the statement instead.
    private func prepareForUse() async throws {
        switch handle.readiness() {
        case .ready:
            return
        case .lost:
            throw PostgresError(
                .connectionLost,
                "the connection was lost inside a transaction; the transaction was rolled back"
            )
        case .reset:
            let handle = self.handle
            try await runBlocking(on: threadPool) { try handle.reset() }
            logger.debug("db.connection.reconnected", metadata: ["db.backend.pid": "\(handle.backendPID)"])
        }
    }

    private func measured(
        file: String,
        line: Int,
        _ send: (OpaquePointer) -> Int32
    ) async throws -> LibPQResult {
        let handle = self.handle
        let id = handle.nextQueryID()
        let start = NIODeadline.now()
        do {
            let result = try await withTaskCancellationHandler {
                try await handle.perform(id: id, send)
            } onCancel: {
                handle.requestCancel(id)
            }
            metrics.queryDuration.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
            return result
        } catch var error as PostgresError {
            metrics.queryDuration.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
            metrics.queryErrors(error.code).increment()
            error.file = file
            error.line = line
            logger.debug(
                "db.query.failed",
                metadata: ["db.error.code": "\(error.code)", "db.sqlstate": "\(error.sqlState ?? "")"]
            )
            throw error
        }
    }

    // MARK: transactions

    /// Runs `body` inside `BEGIN … COMMIT` on this connection; `ROLLBACK` when `body` throws
    /// or the task is cancelled. Prefer ``PostgresPool/withTransaction(_:isolation:file:line:_:)``.
    public func withTransaction<Result>(
        _ options: PostgresTransactionOptions = PostgresTransactionOptions(),
        isolation: isolated (any Actor)? = #isolation,
        file: String = #fileID,
        line: Int = #line,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await executeSimple(options.beginStatement, file: file, line: line)
        let result: Result
        do {
            result = try await body(self)
            try Task.checkCancellation()
        } catch {
            await rollback()
            throw error
        }
        let commit = try await executeSimpleIgnoringCancellation("COMMIT")
        if commit.commandTag != "COMMIT" {
            // COMMIT of a failed transaction answers ROLLBACK without an error.
            throw PostgresError(
                .server,
                "the transaction had failed (a statement error was caught) and was rolled back",
                sqlState: "25P02",
                file: file,
                line: line
            )
        }
        return result
    }

    private func rollback() async {
        do {
            if handle.transactionStatus() != PQTRANS_IDLE {
                try await executeSimpleIgnoringCancellation("ROLLBACK")
            }
        } catch {
            logger.debug("db.rollback.failed", metadata: ["db.error.code": "\((error as? PostgresError)?.code.description ?? "other")"])
        }
    }

    // MARK: closing

    /// Whether the connection may be reused: open, healthy and idle (no open transaction).
    var isReusable: Bool { handle.isReusable }

    /// Closes the connection (sends Terminate without waiting). Idempotent.
    public func close() {
        handle.close()
        logger.debug("db.connection.closed")
    }
}

/// Runs a blocking closure on `threadPool` and resumes with its result. Unlike
/// `NIOThreadPool.runIfActive` it is not withdrawn when the task is cancelled: a connect or a
/// reconnect, once started, finishes (the connection then goes back to the pool).
func runBlocking<T: Sendable>(
    on threadPool: NIOThreadPool,
    _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        threadPool.submit { state in
            switch state {
            case .active:
                continuation.resume(with: Result(catching: body))
            case .cancelled:
                continuation.resume(throwing: PostgresError(.poolClosed, "the database threads have shut down"))
            }
        }
    }
}
