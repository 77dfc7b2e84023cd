import Foundation

/// One SQL statement and its bound parameters.
///
/// Write it as a string literal; every interpolated value becomes a bound parameter `$n`, so
/// SQL injection cannot be written by accident:
///
/// ```swift
/// let rows = try await pool.query("SELECT id, state FROM login_jobs WHERE id = \(id) AND state = ANY(\(states))")
/// ```
///
/// Only values that conform to ``PostgresEncodable`` can be interpolated. Identifiers (a
/// database or channel name) go through ``StringInterpolation/appendInterpolation(identifier:)``,
/// which quotes them. Raw SQL text needs the explicitly named ``init(unsafeSQL:binds:)``.
public struct SQLQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text, with `$1`, `$2`, … where values go.
    public var sql: String
    /// The values for `$1`, `$2`, ….
    public var binds: PostgresBindings

    /// A query from trusted SQL text and already built bindings. The text is sent as is:
    /// never build it from input.
    public init(unsafeSQL sql: String, binds: PostgresBindings = PostgresBindings()) {
        self.sql = sql
        self.binds = binds
    }

    /// A query without parameters.
    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    /// A query built by interpolation.
    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// The SQL text only (parameters are never printed).
    public var description: String { sql }

    /// Builds the SQL text and the bindings of a ``SQLQuery``.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: String
        var binds = PostgresBindings()

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        /// SQL text from the literal.
        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A bound parameter: writes `$n` and appends the value.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// A bound parameter that may be SQL NULL (`nil`): writes `$n` and appends the value.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value)
            sql += "$\(binds.count)"
        }

        /// A quoted identifier (`"my table"`), for the few places where SQL cannot take a
        /// parameter: database, role or channel names. Embedded quotes are doubled.
        public mutating func appendInterpolation(identifier: String) {
            sql += SQLQuery.quoteIdentifier(identifier)
        }
    }

    /// Quotes an identifier the way PostgreSQL does: surrounded by `"`, inner `"` doubled,
    /// NUL characters removed (an identifier cannot contain them).
    public static func quoteIdentifier(_ identifier: String) -> String {
        let cleaned = identifier.replacingOccurrences(of: "\0", with: "")
        return "\"" + cleaned.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
