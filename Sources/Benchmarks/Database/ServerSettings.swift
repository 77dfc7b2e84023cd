import Postgres

/// The PostgreSQL settings a bench prints beside its figures.
struct ServerSettings: Sendable {
    let version: String
    let fsync: String
    let synchronousCommit: String
    let sharedBuffers: String
    let maxConnections: String

    /// Reads them on `connection`.
    static func read(on connection: PostgresConnection) async throws -> ServerSettings {
        let row = try await connection.query(
            """
            SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
                   current_setting('synchronous_commit') AS sync, current_setting('shared_buffers') AS buffers,
                   current_setting('max_connections') AS max_connections
            """
        ).single()
        return ServerSettings(
            version: try row.decode(String.self, "version"),
            fsync: try row.decode(String.self, "fsync"),
            synchronousCommit: try row.decode(String.self, "sync"),
            sharedBuffers: try row.decode(String.self, "buffers"),
            maxConnections: try row.decode(String.self, "max_connections")
        )
    }

    /// `server: PostgreSQL 15.5; fsync=on synchronous_commit=on shared_buffers=128MB max_connections=100`.
    var line: String {
        "server: PostgreSQL \(version); fsync=\(fsync) synchronous_commit=\(synchronousCommit) "
            + "shared_buffers=\(sharedBuffers) max_connections=\(maxConnections)"
    }

    /// The settings as members of a JSON object (no braces).
    var jsonMembers: String {
        [
            #""fsync":\#(BenchText.jsonString(fsync))"#, #""synchronous_commit":\#(BenchText.jsonString(synchronousCommit))"#,
            #""shared_buffers":\#(BenchText.jsonString(sharedBuffers))"#, #""max_connections":\#(Int(maxConnections) ?? 0)"#,
            #""server_version":\#(BenchText.jsonString(version))"#,
        ].joined(separator: ",")
    }
}
