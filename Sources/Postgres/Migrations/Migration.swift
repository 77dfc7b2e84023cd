import Crypto
import Foundation

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

extension Migration {
    /// The checksum recorded for a migration file: the lowercase hex SHA-256 of its bytes, as
    /// `sha256sum` prints it and PostgreSQL's `encode(sha256(…), 'hex')` returns it, so
    /// `schema_migrations` rows written by any version of the migrator keep matching.
    static func checksum(of contents: Data) -> String {
        SHA256.hash(data: contents).map { String(format: "%02x", $0) }.joined()
    }
}
