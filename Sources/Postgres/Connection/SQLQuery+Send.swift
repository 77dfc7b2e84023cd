import CLibPQ

/// The `PQsend…` calls that put a statement on the wire (non-blocking; 1 when queued), shared by
/// single statements and pipelines.
extension SQLQuery {
    /// `PQsendQueryParams`: the unnamed statement, parsed and planned for this one execution.
    func sendUnnamed(on conn: OpaquePointer) -> Int32 {
        binds.typeOIDs.withUnsafeBufferPointer { types in
            binds.withUnsafeParameters { values, lengths, formats in
                PQsendQueryParams(conn, sql, Int32(binds.count), types.baseAddress, values, lengths, formats, 0)
            }
        }
    }

    /// `PQsendPrepare`: prepares the statement on the server as `name`.
    func sendPrepare(on conn: OpaquePointer, name: String) -> Int32 {
        binds.typeOIDs.withUnsafeBufferPointer { types in
            PQsendPrepare(conn, name, sql, Int32(binds.count), types.baseAddress)
        }
    }

    /// `PQsendQueryPrepared`: runs the statement prepared as `name` with this query's values.
    func sendPrepared(on conn: OpaquePointer, name: String) -> Int32 {
        binds.withUnsafeParameters { values, lengths, formats in
            PQsendQueryPrepared(conn, name, Int32(binds.count), values, lengths, formats, 0)
        }
    }
}
