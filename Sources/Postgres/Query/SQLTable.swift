/// The name of a table expression in a statement — a common table expression (`WITH name AS
/// (…)`), a table, or an alias — written as trusted SQL text, and the typed columns read from it.
///
/// One module can write part of a statement another module runs (see ``SQLFragment``); the
/// names that connect the parts are values of this type, passed by the caller, so neither side
/// spells the other's names in a string:
///
/// ```swift
/// let held = SQLTable("held")
/// let upsert = try accounts.upsert(profile, when: held, identity: SQLTable("identity"), account: SQLTable("account"))
/// try await pool.query("WITH held AS (…), \(upsert.expressions) UPDATE … SET user_id = \(upsert.userID) FROM \(held), \(upsert.account)")
/// ```
///
/// The name comes from a string literal (`StaticString`), never from input.
public struct SQLTable: Sendable, Hashable, CustomStringConvertible {
    /// The name as written in SQL.
    public let name: String

    /// - Parameter name: a plain SQL identifier (lowercase letters, digits, `_`), from a literal.
    public init(_ name: StaticString) {
        let text = "\(name)"
        precondition(Self.isPlainIdentifier(text), "\(text) is not a plain SQL identifier")
        self.name = text
    }

    /// The column `name` of this table expression, read as `Value`.
    public func column<Value>(_ name: StaticString, as type: Value.Type = Value.self) -> SQLColumn<Value> {
        SQLColumn(table: self, name: "\(name)")
    }

    public var description: String { name }

    /// Lowercase letters, digits and `_`, not starting with a digit: needs no quoting.
    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}

extension SQLFragment.StringInterpolation {
    /// A table expression's name, as SQL text.
    public mutating func appendInterpolation(_ table: SQLTable) {
        appendLiteral(table.name)
    }

    /// A column, qualified by its table expression (`account.id`), as SQL text.
    public mutating func appendInterpolation<Value>(_ column: SQLColumn<Value>) {
        appendLiteral(column.qualifiedName)
    }
}

extension SQLQuery.StringInterpolation {
    /// A table expression's name, as SQL text.
    public mutating func appendInterpolation(_ table: SQLTable) {
        appendLiteral(table.name)
    }

    /// A column, qualified by its table expression (`account.id`), as SQL text.
    public mutating func appendInterpolation<Value>(_ column: SQLColumn<Value>) {
        appendLiteral(column.qualifiedName)
    }
}
