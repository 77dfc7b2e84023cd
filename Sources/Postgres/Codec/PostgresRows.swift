/// The rows a statement returned (possibly none), and how many rows a command affected.
///
/// ```swift
/// let rows = try await pool.query("SELECT id, email FROM users WHERE id = ANY(\(ids))")
/// for row in rows {
///     let id = try row.decode(Int64.self, "id")
///     let email = try row.decode(String?.self, "email")
/// }
/// ```
public struct PostgresRows: Sendable, RandomAccessCollection {
    let result: LibPQResult
    /// The result's rows that are these, in order: one caller's share of a set-based statement
    /// (``SetStatement``); `nil` for all of them.
    let share: [Int]?

    init(_ result: LibPQResult, share: [Int]? = nil) {
        self.result = result
        self.share = share
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { share?.count ?? result.rowCount }

    public subscript(position: Int) -> PostgresRow {
        precondition(indices.contains(position), "row index out of range")
        return PostgresRow(result: result, index: share?[position] ?? position)
    }

    /// Rows inserted, updated, deleted or selected, as the command tag reports it
    /// (`UPDATE 3` → 3); 0 for commands that report no count. For one caller's share of a
    /// set-based statement, the rows it returned for that caller.
    public var affectedRows: Int { share?.count ?? result.affectedRows }

    /// The command tag (`INSERT 0 1`, `UPDATE 3`, `SELECT 1`, …).
    public var commandTag: String { result.commandTag }

    /// The result's column names, in order.
    public var columns: [String] { result.columnNames }

    /// The only row; throws ``PostgresError/Code/unexpectedResult`` for zero or several rows.
    public func single(file: String = #fileID, line: Int = #line) throws -> PostgresRow {
        guard count == 1 else {
            throw PostgresError(.unexpectedResult, "expected exactly one row, got \(count)", file: file, line: line)
        }
        return self[0]
    }
}

extension PostgresRows {
    /// These rows split among `count` callers by the 1-based position in the `ordinal` column
    /// (as `unnest(…) WITH ORDINALITY` numbers a set-based statement's input rows); a caller
    /// whose position no row names gets none.
    func shares(_ count: Int, byOrdinal ordinal: String) throws -> [PostgresRows] {
        var shares = [[Int]](repeating: [], count: count)
        for row in self {
            let position = try row.decode(Int.self, ordinal)
            guard (1...count).contains(position) else {
                throw PostgresError(.unexpectedResult, "\(ordinal) \(position) is outside 1...\(count)")
            }
            shares[position - 1].append(row.index)
        }
        return shares.map { PostgresRows(result, share: $0) }
    }
}

/// One result row. Decode columns by name:
/// `try row.decode(Int64.self, "id")`, `try row.decode(Date?.self, "finished_at")`.
public struct PostgresRow: Sendable {
    let result: LibPQResult
    let index: Int

    /// Decodes the named column. Throws ``PostgresError/Code/decoding`` naming the column and
    /// the Swift type (never the value) when the column is missing, NULL for a non-optional
    /// type, or not representable as `type`.
    public func decode<Value: PostgresDecodable>(
        _ type: Value.Type,
        _ column: String,
        file: String = #fileID,
        line: Int = #line
    ) throws -> Value {
        guard let columnIndex = result.columnIndex(column) else {
            throw PostgresError(
                .decoding,
                "no column \"\(column)\" in the result (columns: \(result.columnNames.joined(separator: ", ")))",
                columnName: column,
                file: file,
                line: line
            )
        }
        return try decode(type, at: columnIndex, file: file, line: line)
    }

    /// Decodes the column at a position (0-based).
    public func decode<Value: PostgresDecodable>(
        _ type: Value.Type,
        at columnIndex: Int,
        file: String = #fileID,
        line: Int = #line
    ) throws -> Value {
        guard result.columnNames.indices.contains(columnIndex) else {
            throw PostgresError(.decoding, "no column at index \(columnIndex)", file: file, line: line)
        }
        do {
            return try result.withValue(row: index, column: columnIndex) { value in
                guard let value else { return try Value.postgresNull() }
                return try Value(postgresText: value)
            }
        } catch {
            let name = result.columnNames[columnIndex]
            let reason = (error as? PostgresDecodingFailure)?.reason ?? "undecodable value"
            throw PostgresError(
                .decoding,
                "column \"\(name)\" (\(result.columnTypes[columnIndex])) cannot be decoded as \(Value.self): \(reason)",
                columnName: name,
                file: file,
                line: line
            )
        }
    }

    /// Decodes a `json`/`jsonb` column into a `Decodable` type
    /// (shorthand for `decode(PostgresJSON<Value>.self, column).value`).
    public func decodeJSON<Value: Codable & Sendable>(
        _ type: Value.Type,
        _ column: String,
        file: String = #fileID,
        line: Int = #line
    ) throws -> Value {
        try decode(PostgresJSON<Value>.self, column, file: file, line: line).value
    }

    /// Whether the named column is SQL NULL (false for an unknown column).
    public func isNull(_ column: String) -> Bool {
        guard let columnIndex = result.columnIndex(column) else { return false }
        return result.isNull(row: index, column: columnIndex)
    }
}
