import Foundation

/// How to reach PostgreSQL, and the server-side limits every connection gets.
///
/// Connection settings work exactly as in psql: ``connectionString`` is handed to libpq as
/// is (a `postgresql://` URI or a `key=value` string), and whatever it leaves out comes from
/// libpq's `PG*` environment variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, …),
/// `~/.pgpass` and libpq's defaults. `nil` means "only the environment and defaults".
///
/// The limits are sent as `options` (`-c name=value`) at connect time, before anything in
/// the connection string's own `options`, so an operator's explicit setting there wins. Behind
/// a pooler that refuses the `options` startup parameter (PgBouncer), turn
/// ``throughTransactionPooler`` on and set them on the role instead.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI or `key=value` string; `nil` uses libpq's `PG*` variables and
    /// defaults. It may hold a password: it is never logged or printed.
    public var connectionString: String?
    /// A database name that replaces the connection string's (or `PGDATABASE`'s); `nil` keeps
    /// it. Handy to reach a sibling database with the same credentials. Default `nil`.
    public var database: String?
    /// `application_name`, shown in `pg_stat_activity`. Default `"kakao-login"`. A value in
    /// the connection string wins.
    public var applicationName: String
    /// libpq's `connect_timeout`, rounded up to whole seconds (libpq's minimum is 2).
    /// Default 10 seconds. A value in the connection string wins.
    public var connectTimeout: Duration
    /// `statement_timeout` for every statement; `nil` keeps the server's setting.
    /// Default 30 seconds. Override it for one transaction with
    /// ``PostgresTransactionOptions/statementTimeout``.
    public var statementTimeout: Duration?
    /// `idle_in_transaction_session_timeout`: the server ends a session that sits idle inside
    /// an open transaction this long. `nil` keeps the server's setting. Default 60 seconds.
    public var idleInTransactionSessionTimeout: Duration?
    /// `lock_timeout`: how long a statement waits for a lock; `nil` keeps the server's setting
    /// (by default no limit other than the statement timeout). Default `nil`.
    public var lockTimeout: Duration?
    /// Whether the connections go through a pooler in transaction mode (PgBouncer), where a
    /// server session is a client's only for one transaction. Default `false`. When `true`:
    ///
    /// - no statement is prepared by name (a named statement lives in one server session):
    ///   every statement is sent unnamed (`PQsendQueryParams`), whatever a pool's
    ///   `statementCacheSize` says;
    /// - the session settings (`TimeZone=UTC`, `DateStyle=ISO`, `bytea_output=hex`,
    ///   `IntervalStyle=iso_8601` and the three timeouts above) are not sent as `options` at
    ///   connect (the connection string's own still go): PgBouncer refuses the parameter (1.18)
    ///   or drops it (`ignore_startup_parameters = options`). Set them on the role instead
    ///   (`ALTER ROLE … SET statement_timeout = '30s'`). Decoding does not depend on `TimeZone`
    ///   (timestamps carry their offset) and needs only `DateStyle` ISO and `bytea_output` hex,
    ///   PostgreSQL's defaults: a connection whose `DateStyle` is not ISO is refused.
    ///
    /// LISTEN needs a session: a ``PostgresListener`` must not use such a configuration.
    public var throughTransactionPooler: Bool

    /// Creates a configuration; every parameter has the default documented on its property.
    public init(
        connectionString: String? = nil,
        database: String? = nil,
        applicationName: String = "kakao-login",
        connectTimeout: Duration = .seconds(10),
        statementTimeout: Duration? = .seconds(30),
        idleInTransactionSessionTimeout: Duration? = .seconds(60),
        lockTimeout: Duration? = nil,
        throughTransactionPooler: Bool = false
    ) {
        self.connectionString = connectionString
        self.database = database
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.idleInTransactionSessionTimeout = idleInTransactionSessionTimeout
        self.lockTimeout = lockTimeout
        self.throughTransactionPooler = throughTransactionPooler
    }

    /// Reads `DATABASE_URL`, or the file named by `DATABASE_URL_FILE` (one trailing newline is
    /// ignored). Neither set means libpq's `PG*` variables and defaults, like psql.
    /// `DATABASE_POOLER=pgbouncer-transaction` sets ``throughTransactionPooler``.
    ///
    /// The string is checked with libpq's own parser, so a malformed one fails here with
    /// ``PostgresError/Code/invalidConfiguration`` and a message that does not repeat it.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresConfiguration {
        let direct = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let file = environment["DATABASE_URL_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        var configuration = PostgresConfiguration()
        switch (direct, file) {
        case (.some, .some):
            throw PostgresError(.invalidConfiguration, "set DATABASE_URL or DATABASE_URL_FILE, not both")
        case (.some(let url), nil):
            configuration.connectionString = url
        case (nil, .some(let path)):
            let contents: String
            do {
                contents = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw PostgresError(.invalidConfiguration, "DATABASE_URL_FILE \(path) cannot be read")
            }
            var value = Substring(contents)
            if value.hasSuffix("\r\n") {
                value = value.dropLast(2)
            } else if value.hasSuffix("\n") {
                value = value.dropLast()
            }
            guard !value.isEmpty else {
                throw PostgresError(.invalidConfiguration, "DATABASE_URL_FILE \(path) is empty")
            }
            configuration.connectionString = String(value)
        case (nil, nil):
            configuration.connectionString = nil
        }
        switch environment["DATABASE_POOLER"]?.lowercased() {
        case nil, "", "none":
            break
        case "pgbouncer-transaction":
            configuration.throughTransactionPooler = true
        case .some:
            throw PostgresError(.invalidConfiguration, "DATABASE_POOLER must be none or pgbouncer-transaction")
        }
        try configuration.validate()
        return configuration
    }

    /// Checks the connection string with libpq's parser and the limits for sane values.
    /// Connecting calls this too.
    public func validate() throws {
        if let connectionString {
            _ = try ConnectionString.parse(connectionString)
        }
        for (name, value) in [
            ("statementTimeout", statementTimeout), ("idleInTransactionSessionTimeout", idleInTransactionSessionTimeout),
            ("lockTimeout", lockTimeout), ("connectTimeout", connectTimeout),
        ] {
            if let value, value < .zero {
                throw PostgresError(.invalidConfiguration, "\(name) must not be negative")
            }
        }
    }

    /// Returns a copy with some properties changed.
    public func with(_ change: (inout PostgresConfiguration) -> Void) -> PostgresConfiguration {
        var copy = self
        change(&copy)
        return copy
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a positive duration never becomes 0 ("no limit").
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return remainder > 0 ? millis + 1 : millis
    }
}
