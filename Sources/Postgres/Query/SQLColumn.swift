/// A column of a ``SQLTable``, typed by the Swift value it holds: what one module's part of a
/// statement promises the other parts (`upsert.userID` is a `SQLColumn<UUID>`). Interpolated
/// into a ``SQLQuery`` or ``SQLFragment`` it is the qualified name, `table.column`.
public struct SQLColumn<Value>: Sendable, Hashable, CustomStringConvertible {
    /// The table expression the column belongs to.
    public let table: SQLTable
    /// The column's name in that table expression.
    public let name: String

    init(table: SQLTable, name: String) {
        precondition(SQLTable.isPlainIdentifier(name), "\(name) is not a plain SQL identifier")
        self.table = table
        self.name = name
    }

    /// `table.column`.
    public var qualifiedName: String { table.name + "." + name }

    public var description: String { qualifiedName }
}
