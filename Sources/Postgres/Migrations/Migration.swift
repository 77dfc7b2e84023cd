/// One migration file, `NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    /// The number before the first `_` (`0001` → 1).
    public var version: Int64
    /// The part after the number, without `.sql` (`0001_init.sql` → `init`).
    public var name: String
    /// The file name.
    public var fileName: String
    /// The SQL text, run as is (several statements allowed).
    public var sql: String
    /// The lowercase hex SHA-256 of the file's bytes (what `sha256sum` prints).
    public var checksum: String
}
