/// A piece of SQL with its bound values, written like a ``SQLQuery`` and spliced into one
/// (`"WITH \(fragment) SELECT …"`), where its values become parameters numbered in place.
///
/// It lets a module write part of a statement another module runs, so that work spread over
/// modules (a job's completion and the account upsert it carries, say) still goes to the server
/// as one statement, in one round trip:
///
/// ```swift
/// let upsert: SQLFragment = "account AS (INSERT INTO users (id, name) VALUES (\(id), \(name)) RETURNING id)"
/// try await pool.query("WITH \(upsert) SELECT id FROM account")
/// ```
///
/// As with ``SQLQuery``, every interpolated value is a bound parameter; literal text is trusted
/// SQL and must never be built from input.
public struct SQLFragment: Sendable, ExpressibleByStringInterpolation {
    enum Piece: Sendable {
        case sql(String)
        case value(any PostgresEncodable)
    }

    var pieces: [Piece]

    /// SQL text without values.
    public init(stringLiteral value: String) {
        pieces = [.sql(value)]
    }

    /// SQL text and values, by interpolation.
    public init(stringInterpolation: StringInterpolation) {
        pieces = stringInterpolation.pieces
    }

    /// Builds the pieces of a ``SQLFragment``.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var pieces: [Piece] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            pieces.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { pieces.append(.sql(literal)) }
        }

        /// A bound parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            pieces.append(.value(value))
        }

        /// A bound parameter that may be SQL NULL (`nil`).
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            pieces.append(.value(value))
        }

        /// Another fragment, spliced in.
        public mutating func appendInterpolation(_ fragment: SQLFragment) {
            pieces += fragment.pieces
        }
    }
}

extension Array where Element == SQLFragment {
    /// The fragments one after another, `separator` (SQL text) between them.
    public func joined(separator: String) -> SQLFragment {
        var joined = SQLFragment(stringLiteral: "")
        for (index, fragment) in enumerated() {
            if index > 0 { joined.pieces.append(.sql(separator)) }
            joined.pieces += fragment.pieces
        }
        return joined
    }
}

extension SQLQuery.StringInterpolation {
    /// A fragment spliced into the query: its text in place, its values as the next parameters.
    public mutating func appendInterpolation(_ fragment: SQLFragment) {
        for piece in fragment.pieces {
            switch piece {
            case .sql(let text): appendLiteral(text)
            case .value(let value): appendInterpolation(value)
            }
        }
    }
}
