import CLibPQ
import Logging
import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One PostgreSQL connection (a libpq `PGconn`).
///
/// Usually borrowed from a ``PostgresPool`` inside `withConnection` or `withTransaction`;
/// it must not escape that closure. Statements on one connection run one at a time.
///
/// Every libpq call runs on the `NIOThreadPool` the connection was opened with, never on
/// Swift's cooperative threads. Cancelling the calling task cancels the running statement
/// (`PQcancel`) and throws `CancellationError`; the connection stays usable.
public final class PostgresConnection: Sendable {
    let handle: LibPQConnection
    let threadPool: NIOThreadPool
    let logger: Logger
    let usePreparedStatements: Bool
    let metrics: PostgresMetrics
    /// A process-wide number for logs (`db.connection.id`).
    public let id: Int

    private static let ids = NIOLockedValueBox(0)

    private init(
        handle: LibPQConnection, threadPool: NIOThreadPool, logger: Logger, usePreparedStatements: Bool,
        metrics: PostgresMetrics
    ) {
        self.handle = handle
        self.threadPool = threadPool
        self.usePreparedStatements = usePreparedStatements
        self.metrics = metrics
        id = Self.ids.withLockedValue { value in
            value += 1
            return value
        }
        var logger = logger
        logger[metadataKey: "db.connection.id"] = "\(id)"
        self.logger = logger
    }

    /// Opens a connection on a started `threadPool`.
    ///
    /// - Parameters:
    ///   - configuration: where to connect and the session limits.
    ///   - threadPool: where the blocking libpq calls run; it must be started.
    ///   - statementCacheSize: prepared statements kept per connection (0 turns preparing off,
    ///     e.g. behind PgBouncer in transaction mode before 1.21).
    ///   - logger: for `debug` events; never receives parameter values.
    public static func connect(
        configuration: PostgresConfiguration,
        threadPool: NIOThreadPool,
        statementCacheSize: Int = 128,
        logger: Logger
    ) async throws -> PostgresConnection {
        try await connect(
            configuration: configuration, threadPool: threadPool, statementCacheSize: statementCacheSize,
            logger: logger, metrics: PostgresMetrics(factory: nil))
    }

    static func connect(
        configuration: PostgresConfiguration,
        threadPool: NIOThreadPool,
        statementCacheSize: Int,
        logger: Logger,
        metrics: PostgresMetrics
    ) async throws -> PostgresConnection {
        try configuration.validate()
        let handle = try await runBlocking(on: threadPool) {
            try LibPQConnection.connect(configuration: configuration, statementCacheSize: statementCacheSize)
        }
        let connection = PostgresConnection(
            handle: handle, threadPool: threadPool, logger: logger,
            usePreparedStatements: statementCacheSize > 0, metrics: metrics)
        connection.logger.debug("db.connection.opened", metadata: ["db.backend.pid": "\(handle.backendPID)"])
        return connection
    }

    /// Opens a connection with its own one-thread pool, runs `body`, then closes both.
    /// For short-lived tools (`migrate`) and tests; services use a ``PostgresPool``.
    @discardableResult
    public static func withConnection<Result>(
        configuration: PostgresConfiguration,
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        do {
            let connection = try await connect(
                configuration: configuration, threadPool: threadPool, statementCacheSize: 16, logger: logger)
            do {
                let result = try await body(connection)
                await connection.close()
                try await threadPool.shutdownGracefully()
                return result
            } catch {
                await connection.close()
                throw error
            }
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
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
        let prepared = usePreparedStatements
        return try await measured(file: file, line: line) { id in
            try handle.execute(query, id: id, prepared: prepared)
        }
    }

    /// Runs SQL text without parameters (several statements allowed) with the simple query
    /// protocol. Internal: transaction control and migration files only.
    @discardableResult
    func executeSimple(_ sql: String, file: String = #fileID, line: Int = #line) async throws -> LibPQResult {
        let handle = self.handle
        return try await measured(file: file, line: line) { id in
            try handle.executeSimple(sql, id: id)
        }
    }

    /// Like ``executeSimple(_:file:line:)`` but not cancellable: for `ROLLBACK` and other
    /// clean-up that must run even when the task was cancelled.
    @discardableResult
    func executeSimpleIgnoringCancellation(_ sql: String) async throws -> LibPQResult {
        let handle = self.handle
        let id = handle.nextQueryID()
        return try await runBlocking(on: threadPool) { try handle.executeSimple(sql, id: id) }
    }

    private func measured(
        file: String, line: Int, _ body: @escaping @Sendable (UInt64) throws -> LibPQResult
    ) async throws -> LibPQResult {
        let handle = self.handle
        let id = handle.nextQueryID()
        let start = NIODeadline.now()
        do {
            let result = try await withTaskCancellationHandler {
                try await runBlocking(on: threadPool) { try body(id) }
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
                metadata: ["db.error.code": "\(error.code)", "db.sqlstate": "\(error.sqlState ?? "")"])
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
                .server, "the transaction had failed (a statement error was caught) and was rolled back",
                sqlState: "25P02", file: file, line: line)
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

    /// Closes the connection (sends Terminate). Idempotent.
    public func close() async {
        let handle = self.handle
        do {
            try await runBlocking(on: threadPool) { handle.close() }
        } catch {
            // The thread pool is gone: close here (PQfinish does not wait for the server).
            handle.close()
        }
        logger.debug("db.connection.closed")
    }
}

/// Runs a blocking closure on `threadPool` and resumes with its result. Unlike
/// `NIOThreadPool.runIfActive` it is not withdrawn when the task is cancelled: cancellation of
/// statements is handled by ``LibPQConnection/requestCancel(_:)``, and clean-up must run.
func runBlocking<T: Sendable>(
    on threadPool: NIOThreadPool, _ body: @escaping @Sendable () throws -> T
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
