/// The one error type of the `Postgres` module.
///
/// Branch on ``code`` (a stable identifier), and for server errors on ``sqlState``
/// (`"23505"` is a unique violation, `"40001"` a serialization failure, …).
///
/// ``description`` is safe to log and to show an operator: it holds the code, the SQLSTATE
/// with its condition name, schema names (constraint, table, column) and a short summary, but
/// never a bound parameter, a row value, or the password of a connection string. The server's
/// own message, which can quote values (`invalid input syntax for type integer: "…"`,
/// `Key (email)=(…) already exists`), is kept apart in ``serverMessage``.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration
            case connectionFailed
            case connectionLost
            case connectionClosed
            case connectionBusy
            case server
            case poolTimeout
            case poolClosed
            case encoding
            case decoding
            case unexpectedResult
            case migrationInvalid
            case migrationChecksumMismatch
            case migrationMissing
            case migrationFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration is unusable: a malformed connection string, an unreadable
        /// `DATABASE_URL_FILE`, an invalid option value.
        public static let invalidConfiguration = Self(.invalidConfiguration)
        /// A new connection could not be established (server down, wrong password, unknown
        /// database, timeout). Nothing was sent.
        public static let connectionFailed = Self(.connectionFailed)
        /// The connection broke while a statement was in flight: its outcome is unknown.
        public static let connectionLost = Self(.connectionLost)
        /// The connection was used after it was closed (a programming error).
        public static let connectionClosed = Self(.connectionClosed)
        /// A statement was started on a connection that is still running another one (two
        /// tasks sharing one connection: a programming error). Nothing was sent.
        public static let connectionBusy = Self(.connectionBusy)
        /// The server answered with an error; see ``PostgresError/sqlState``.
        public static let server = Self(.server)
        /// No pooled connection became free within the pool's acquire timeout.
        public static let poolTimeout = Self(.poolTimeout)
        /// The pool is shutting down or has shut down.
        public static let poolClosed = Self(.poolClosed)
        /// A value could not be encoded as a parameter (for example JSON encoding failed).
        public static let encoding = Self(.encoding)
        /// A column could not be decoded as the requested Swift type, or does not exist.
        public static let decoding = Self(.decoding)
        /// The server answered in a way the caller did not expect (for example no row where
        /// exactly one was required, or a COPY response).
        public static let unexpectedResult = Self(.unexpectedResult)
        /// The migrations folder or a migration file is unusable (unreadable, badly named,
        /// duplicate version).
        public static let migrationInvalid = Self(.migrationInvalid)
        /// An already applied migration file was edited after it was applied.
        public static let migrationChecksumMismatch = Self(.migrationChecksumMismatch)
        /// A migration recorded as applied has no file any more.
        public static let migrationMissing = Self(.migrationMissing)
        /// Applying a migration failed; it was rolled back.
        public static let migrationFailed = Self(.migrationFailed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A short, safe summary (never parameter values, row values or passwords).
    public var summary: String
    /// The five-character SQLSTATE, for ``Code/server`` errors and most connection errors
    /// reported by the server.
    public var sqlState: String?
    /// The constraint a server error is about, if any.
    public var constraintName: String?
    /// The table a server error is about, if any.
    public var tableName: String?
    /// The column a server error is about, if any.
    public var columnName: String?
    /// The server's primary message, verbatim.
    ///
    /// - Warning: it can quote parameter or row values; never log it above `debug` and never
    ///   return it to a client.
    public var serverMessage: String?
    /// Where the failing call was made.
    public var file: String
    /// Where the failing call was made.
    public var line: Int

    /// Creates an error. Prefer the module's own throwing sites; this is public for tests and
    /// for layers that wrap the module.
    public init(
        _ code: Code,
        _ summary: String,
        sqlState: String? = nil,
        constraintName: String? = nil,
        tableName: String? = nil,
        columnName: String? = nil,
        serverMessage: String? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.summary = summary
        self.sqlState = sqlState
        self.constraintName = constraintName
        self.tableName = tableName
        self.columnName = columnName
        self.serverMessage = serverMessage
        self.file = file
        self.line = line
    }

    /// `code`, SQLSTATE with its condition name, schema names and the safe summary, on one line.
    public var description: String {
        var text = "PostgresError.\(code)"
        if let sqlState {
            text += " [SQLSTATE \(sqlState)"
            if let name = SQLState.conditionName(sqlState) { text += " \(name)" }
            text += "]"
        }
        var names: [String] = []
        if let constraintName { names.append("constraint \"\(constraintName)\"") }
        if let tableName { names.append("table \"\(tableName)\"") }
        if let columnName { names.append("column \"\(columnName)\"") }
        if !names.isEmpty { text += " (" + names.joined(separator: ", ") + ")" }
        if !summary.isEmpty { text += ": " + summary }
        return text
    }

    /// True for the SQLSTATEs after which the whole transaction may simply be retried:
    /// serialization failures (`40001`) and deadlocks (`40P01`).
    public var isRetryableTransactionConflict: Bool {
        sqlState == "40001" || sqlState == "40P01"
    }

    /// True when the server refused the statement because of a unique violation (`23505`).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// True when the database could not be reached or did not answer in time, so nothing can be
    /// said to have been done: connection failures and losses, pool timeouts and shutdown, and
    /// the server's own "go away" answers (class 08 connection exceptions, `57P01`
    /// admin_shutdown, `57P03` cannot_connect_now, `53300` too_many_connections). Worth a `503`
    /// and a retry; every other error is the statement's own.
    public var isUnavailable: Bool {
        switch code {
        case .connectionFailed, .connectionLost, .connectionClosed, .poolTimeout, .poolClosed: true
        default: sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P03" || $0 == "53300" } ?? false
        }
    }
}
