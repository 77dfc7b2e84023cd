import CLibPQ

/// Owns one `PGresult*` and frees it with `PQclear` when the last reference goes.
///
/// `@unchecked Sendable`: libpq documents a `PGresult` as read-only after creation and safe
/// to read from any thread; this type only calls libpq's read accessors (`PQgetvalue`,
/// `PQgetisnull`, `PQgetlength`, `PQftype`, `PQfname`, …) and never hands out pointers that
/// outlive a call.
final class LibPQResult: @unchecked Sendable {
    let raw: OpaquePointer
    let rowCount: Int
    let columnNames: [String]
    let columnTypes: [PostgresDataType]
    /// `PQcmdTuples`: rows inserted, updated, deleted, selected…; 0 when not applicable.
    let affectedRows: Int
    /// `PQcmdStatus`: the command tag (`INSERT 0 1`, `COMMIT`, `ROLLBACK`, …).
    let commandTag: String

    /// Takes ownership of `raw` at once, before its status is checked, so every path frees it.
    init(_ raw: OpaquePointer) {
        self.raw = raw
        rowCount = Int(PQntuples(raw))
        let columns = Int(PQnfields(raw))
        var names: [String] = []
        var types: [PostgresDataType] = []
        names.reserveCapacity(columns)
        types.reserveCapacity(columns)
        for column in 0..<Int32(columns) {
            names.append(PQfname(raw, column).map { String(cString: $0) } ?? "")
            types.append(PostgresDataType(rawValue: PQftype(raw, column)))
        }
        columnNames = names
        columnTypes = types
        affectedRows = PQcmdTuples(raw).flatMap { Int(String(cString: $0)) } ?? 0
        commandTag = PQcmdStatus(raw).map { String(cString: $0) } ?? ""
    }

    deinit { PQclear(raw) }

    var status: ExecStatusType { PQresultStatus(raw) }

    func columnIndex(_ name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(raw, Int32(row), Int32(column)) == 1
    }

    /// Calls `body` with the value's bytes (valid only inside `body`); `nil` for SQL NULL.
    func withValue<R>(row: Int, column: Int, _ body: (PostgresTextValue?) throws -> R) rethrows -> R {
        let row32 = Int32(row)
        let column32 = Int32(column)
        if PQgetisnull(raw, row32, column32) == 1 { return try body(nil) }
        let length = Int(PQgetlength(raw, row32, column32))
        guard let pointer = PQgetvalue(raw, row32, column32) else { return try body(nil) }
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length)
        return try body(PostgresTextValue(bytes: bytes, type: columnTypes[column]))
    }

    func errorField(_ field: Int32) -> String? {
        PQresultErrorField(raw, field).map { String(cString: $0) }
    }
}
