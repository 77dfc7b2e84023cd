/// Where a sealed value lives: its table, column and row. Used as AES-GCM associated data, so
/// a sealed value only opens in the place it was sealed for.
public struct SealingContext: Sendable, Hashable {
    public let table: String
    public let column: String
    public let rowKey: String

    public init(table: String, column: String, rowKey: String) {
        self.table = table
        self.column = column
        self.rowKey = rowKey
    }

    var associatedData: [UInt8] { Array("\(table).\(column):\(rowKey)".utf8) }
}
