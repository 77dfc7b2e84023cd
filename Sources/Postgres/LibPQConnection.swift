import CLibPQ
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one `PGconn*`. Every method except ``requestCancel(_:)`` and the health accessors
/// blocks, and must run on a database thread (a `NIOThreadPool` thread), never on Swift's
/// cooperative pool.
///
/// `@unchecked Sendable`: libpq forbids two threads from using one `PGconn` at a time, so
/// every access to `raw`, the prepared-statement cache and the health flags happens while
/// holding `lock`; `raw` is `nil` once closed, so later calls throw instead of touching freed
/// memory. The `PGcancel*` (which libpq allows to be used from another thread while a query
/// runs) is guarded separately by `cancelLock`, and the id of the running query by `queryState`.
final class LibPQConnection: @unchecked Sendable {
    private let lock = NIOLock()
    private var raw: OpaquePointer?
    private var statements: PreparedStatementCache
    private var needsLivenessCheck = false
    private var reusable = true
    private(set) var backendPID: Int32 = 0
    /// The connection string, kept only to scrub libpq messages.
    private let connectionString: String?

    private let cancelLock = NIOLock()
    private var cancelHandle: OpaquePointer?

    private struct QueryState {
        var nextID: UInt64 = 1
        var running: UInt64?
        /// A query cancelled before it started; it will not be sent.
        var cancelledBeforeStart: UInt64?
        /// A query a `PQcancel` was sent for: its `57014` means "cancelled by us".
        var cancelSent: UInt64?
    }
    private let queryState = NIOLockedValueBox(QueryState())

    private init(raw: OpaquePointer, connectionString: String?, statementCacheSize: Int) {
        self.raw = raw
        self.connectionString = connectionString
        self.statements = PreparedStatementCache(capacity: statementCacheSize)
        self.backendPID = PQbackendPID(raw)
        self.cancelHandle = PQgetCancel(raw)
        PQsetNoticeProcessor(raw, { _, _ in }, nil)
    }

    deinit {
        if let raw { PQfinish(raw) }
        if let cancelHandle { PQfreeCancel(cancelHandle) }
    }

    // MARK: connecting and closing

    /// Connects with `PQconnectdbParams(…, expand_dbname: 1)`. Blocks (at most the connect timeout).
    static func connect(configuration: PostgresConfiguration, statementCacheSize: Int) throws -> LibPQConnection {
        let parameters = try ConnectionString.connectParameters(for: configuration)
        let keywords = parameters.map(\.0)
        let values = parameters.map(\.1)
        let raw: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let raw else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = PQerrorMessage(raw).map { String(cString: $0) } ?? "unknown error"
            PQfinish(raw)  // libpq requires it even for a failed connection
            let safe = ConnectionString.scrub(message, connectionString: configuration.connectionString)
            throw PostgresError(.connectionFailed, safe, sqlState: nil)
        }
        return LibPQConnection(
            raw: raw, connectionString: configuration.connectionString, statementCacheSize: statementCacheSize)
    }

    /// Sends Terminate and frees the connection. Idempotent.
    func close() {
        lock.withLock {
            if let raw {
                PQfinish(raw)
                self.raw = nil
            }
            reusable = false
        }
        cancelLock.withLock {
            if let cancelHandle {
                PQfreeCancel(cancelHandle)
                self.cancelHandle = nil
            }
        }
    }

    // MARK: health (cheap; no libpq call)

    /// Whether the pool may hand this connection out again: open, `CONNECTION_OK`, and idle
    /// (no transaction left open), as recorded after the last statement.
    var isReusable: Bool { lock.withLock { raw != nil && reusable } }

    /// Called when the connection goes back to the pool: the next statement first checks,
    /// without blocking, that the server has not closed the connection in the meantime.
    func markIdle() { lock.withLock { needsLivenessCheck = true } }

    // MARK: statements

    /// Runs one statement with binary parameters and text results, through a cached prepared
    /// statement when `prepared` is true and the cache is on, else `PQexecParams`.
    func execute(_ query: SQLQuery, id: UInt64, prepared: Bool) throws -> LibPQResult {
        try lock.withLock {
            let conn = try openConnection()
            try beginQuery(id)
            defer { endQuery(id) }
            let result: LibPQResult
            if prepared, statements.capacity > 0 {
                let name = try preparedStatementName(for: query, conn: conn, id: id)
                let raw = query.binds.withUnsafeParameters { values, lengths, formats in
                    PQexecPrepared(conn, name, Int32(query.binds.count), values, lengths, formats, 0)
                }
                result = try check(raw, conn: conn, id: id)
            } else {
                let raw = query.binds.typeOIDs.withUnsafeBufferPointer { types in
                    query.binds.withUnsafeParameters { values, lengths, formats in
                        PQexecParams(
                            conn, query.sql, Int32(query.binds.count), types.baseAddress, values, lengths, formats, 0)
                    }
                }
                result = try check(raw, conn: conn, id: id)
            }
            return result
        }
    }

    /// Runs SQL text without parameters through the simple query protocol (`PQexec`), which
    /// allows several `;`-separated statements (migration files, `BEGIN; SET LOCAL …`).
    /// Returns the last statement's result.
    func executeSimple(_ sql: String, id: UInt64) throws -> LibPQResult {
        try lock.withLock {
            let conn = try openConnection()
            try beginQuery(id)
            defer { endQuery(id) }
            return try check(PQexec(conn, sql), conn: conn, id: id)
        }
    }

    /// `PQtransactionStatus` after the last statement.
    func transactionStatus() -> PGTransactionStatusType {
        lock.withLock { raw.map { PQtransactionStatus($0) } ?? PQTRANS_UNKNOWN }
    }

    private func openConnection() throws -> OpaquePointer {
        guard let raw else {
            throw PostgresError(.connectionClosed, "the connection is closed")
        }
        if needsLivenessCheck {
            needsLivenessCheck = false
            try ensureAlive(raw)
        }
        return raw
    }

    /// Detects, without blocking and before anything is sent, a connection the server closed
    /// while it sat in the pool (a restart, `pg_terminate_backend`, an idle timeout), and
    /// reconnects it in place with `PQreset`. Safe because nothing of the caller's was sent yet.
    private func ensureAlive(_ conn: OpaquePointer) throws {
        var alive = true
        let socket = PQsocket(conn)
        if socket < 0 {
            alive = false
        } else {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            // An idle connection of ours has nothing to read: the server only speaks when asked.
            // Readable means it sent something on its own, in practice a FATAL error (admin
            // shutdown, terminated backend, idle timeout) followed by EOF, which may not have
            // arrived yet. Such a connection is replaced rather than trusted.
            if poll(&descriptor, 1, 0) != 0 {
                alive = false
            }
        }
        if alive { return }
        PQreset(conn)
        statements.removeAll()
        guard PQstatus(conn) == CONNECTION_OK else {
            reusable = false
            let message = PQerrorMessage(conn).map { String(cString: $0) } ?? "unknown error"
            throw PostgresError(.connectionFailed, ConnectionString.scrub(message, connectionString: connectionString))
        }
        backendPID = PQbackendPID(conn)
        let newCancel = PQgetCancel(conn)
        cancelLock.withLock {
            if let cancelHandle { PQfreeCancel(cancelHandle) }
            cancelHandle = newCancel
        }
        reusable = true
    }

    private func preparedStatementName(for query: SQLQuery, conn: OpaquePointer, id: UInt64) throws -> String {
        let key = PreparedStatementCache.Key(sql: query.sql, types: query.binds.typeOIDs)
        if let name = statements.lookup(key) { return name }
        if let evicted = statements.evictIfFull() {
            // Best effort: a failure here only leaves the statement on the server.
            PQclear(PQexec(conn, "DEALLOCATE \(evicted)"))
        }
        let name = statements.nextName()
        let raw = query.binds.typeOIDs.withUnsafeBufferPointer { types in
            PQprepare(conn, name, query.sql, Int32(query.binds.count), types.baseAddress)
        }
        _ = try check(raw, conn: conn, id: id)
        statements.insert(key, name: name)
        return name
    }

    /// Wraps the result at once (so it is always freed), records the connection's health and
    /// turns failures into ``PostgresError`` (or `CancellationError` when we cancelled it).
    private func check(_ raw: OpaquePointer?, conn: OpaquePointer, id: UInt64) throws -> LibPQResult {
        let connectionOK = PQstatus(conn) == CONNECTION_OK
        reusable = connectionOK && PQtransactionStatus(conn) == PQTRANS_IDLE
        guard let raw else {
            let message = PQerrorMessage(conn).map { String(cString: $0) } ?? "no result"
            throw PostgresError(
                connectionOK ? .unexpectedResult : .connectionLost,
                ConnectionString.scrub(message, connectionString: connectionString))
        }
        let result = LibPQResult(raw)
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            throw error(from: result, conn: conn, connectionOK: connectionOK, id: id)
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
                .connectionLost, ConnectionString.scrub(text, connectionString: connectionString), sqlState: sqlState)
        }
        if sqlState == "0A000" {
            // "cached plan must not change result type" after a schema change: prepare afresh next time.
            statements.removeAll()
        }
        let summary: String
        if let sqlState, let message, SQLState.messageIsSafe(sqlState) {
            summary = ConnectionString.oneLine(message)
        } else {
            summary = "the server rejected the statement"
        }
        return PostgresError(
            .server, summary, sqlState: sqlState,
            constraintName: result.errorField(Int32(CLIBPQ_DIAG_CONSTRAINT_NAME)),
            tableName: result.errorField(Int32(CLIBPQ_DIAG_TABLE_NAME)),
            columnName: result.errorField(Int32(CLIBPQ_DIAG_COLUMN_NAME)),
            serverMessage: message)
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

    /// Takes `cancelLock` first, so that a `PQcancel` for this query that is already in flight
    /// finishes before the next query on this connection can start.
    private func endQuery(_ id: UInt64) {
        cancelLock.withLock {
            queryState.withLockedValue { state in
                if state.running == id { state.running = nil }
                if state.cancelSent == id { state.cancelSent = nil }
            }
        }
    }

    /// Cancels query `id` if it is running (with `PQcancel`, on a thread that is neither a
    /// cooperative one nor one of the database threads, which may all be busy), or prevents it
    /// from starting. A request for a query that already finished does nothing, so a late
    /// cancellation can never hit the next query on this connection.
    func requestCancel(_ id: UInt64) {
        let running = queryState.withLockedValue { state -> Bool in
            if state.running == id { return true }
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

    /// Quotes an identifier with `PQescapeIdentifier`.
    func escapeIdentifier(_ name: String) throws -> String {
        try lock.withLock {
            let conn = try openConnection()
            let utf8 = Array(name.utf8)
            guard let escaped = utf8.withUnsafeBufferPointer({ buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQescapeIdentifier(conn, $0.baseAddress, $0.count) }
            }) else {
                throw PostgresError(.encoding, "the identifier cannot be quoted")
            }
            defer { PQfreemem(escaped) }
            return String(cString: escaped)
        }
    }

    /// Waits up to `timeoutMilliseconds` for notifications (or for `wakeDescriptor` to become
    /// readable), then returns those received. Throws ``PostgresError/Code/connectionLost``
    /// when the connection broke.
    func waitForNotifications(timeoutMilliseconds: Int32, wakeDescriptor: Int32) throws -> [(channel: String, payload: String)] {
        try lock.withLock {
            guard let conn = raw else { throw PostgresError(.connectionClosed, "the connection is closed") }
            var received = drainNotifications(conn)
            if !received.isEmpty { return received }
            var descriptors = [
                pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
            if ready > 0, descriptors[0].revents != 0 {
                guard PQconsumeInput(conn) == 1, PQstatus(conn) == CONNECTION_OK else {
                    reusable = false
                    let text = PQerrorMessage(conn).map { String(cString: $0) } ?? "connection lost"
                    throw PostgresError(.connectionLost, ConnectionString.scrub(text, connectionString: connectionString))
                }
                received = drainNotifications(conn)
            }
            return received
        }
    }

    private func drainNotifications(_ conn: OpaquePointer) -> [(channel: String, payload: String)] {
        var received: [(channel: String, payload: String)] = []
        while let notification = PQnotifies(conn) {
            received.append((String(cString: notification.pointee.relname), String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }
}

/// Calls `body` with NUL-terminated copies of `strings` followed by a `nil` entry; the
/// pointers are valid only inside `body`.
func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    let owned = strings.map { strdup($0)! }
    defer { owned.forEach { free($0) } }
    return try body(owned.map { UnsafePointer($0) } + [nil])
}
