/// How one transaction runs. The defaults give a plain `BEGIN` with the session's settings.
///
/// ```swift
/// // A worker step whose loss only costs a retry: skip the wait for the WAL flush.
/// try await pool.withTransaction(.init(synchronousCommit: false)) { conn in … }
/// ```
public struct PostgresTransactionOptions: Sendable, Hashable {
    /// A transaction isolation level.
    public enum IsolationLevel: String, Sendable, Hashable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// `nil` keeps the session default (normally READ COMMITTED).
    public var isolationLevel: IsolationLevel?
    /// `BEGIN READ ONLY`. Default false.
    public var readOnly: Bool
    /// `false` sends `SET LOCAL synchronous_commit = off`: COMMIT returns before the WAL is
    /// flushed, so a server crash can lose this transaction (never corrupt anything). Default true.
    public var synchronousCommit: Bool
    /// `SET LOCAL statement_timeout` for this transaction only; `nil` keeps the connection's.
    public var statementTimeout: Duration?
    /// `SET LOCAL lock_timeout` for this transaction only; `nil` keeps the connection's.
    public var lockTimeout: Duration?

    /// Creates options; every parameter has the default documented on its property.
    public init(
        isolationLevel: IsolationLevel? = nil,
        readOnly: Bool = false,
        synchronousCommit: Bool = true,
        statementTimeout: Duration? = nil,
        lockTimeout: Duration? = nil
    ) {
        self.isolationLevel = isolationLevel
        self.readOnly = readOnly
        self.synchronousCommit = synchronousCommit
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
    }

    /// `BEGIN …` and the `SET LOCAL`s, sent together in one round trip. Only constants and
    /// integers are formatted into it.
    var beginStatement: String {
        var begin = "BEGIN"
        if let isolationLevel { begin += " ISOLATION LEVEL \(isolationLevel.rawValue)" }
        if readOnly { begin += " READ ONLY" }
        var statements = [begin]
        if !synchronousCommit { statements.append("SET LOCAL synchronous_commit = off") }
        if let statementTimeout {
            statements.append("SET LOCAL statement_timeout = \(statementTimeout.roundedUpMilliseconds)")
        }
        if let lockTimeout { statements.append("SET LOCAL lock_timeout = \(lockTimeout.roundedUpMilliseconds)") }
        return statements.joined(separator: "; ")
    }
}
