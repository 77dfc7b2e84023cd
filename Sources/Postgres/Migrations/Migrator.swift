import CLibPQ
import Foundation
import Logging

/// Applies `NNNN_name.sql` files from a folder, in order, each in its own transaction, and
/// records them in a table (`schema_migrations` by default: `version`, `name`, `checksum`,
/// `applied_at` from the database clock).
///
/// - Safe with several processes at once: each transaction first takes a transaction-level
///   advisory lock (`pg_advisory_xact_lock`), which also works behind PgBouncer in
///   transaction mode, and re-reads what is applied.
/// - Refuses to run (``PostgresError/Code/migrationChecksumMismatch``) when an applied file
///   was edited, and (``PostgresError/Code/migrationMissing``) when an applied one is gone.
/// - A folder without migrations is a no-op; files that do not end in `.sql` are ignored;
///   a `.sql` file that is not named `NNNN_name.sql` is an error.
/// - Files must not contain `BEGIN`/`COMMIT`, nor statements that cannot run in a
///   transaction (`CREATE INDEX CONCURRENTLY`).
///
/// It knows nothing of the application's schema.
public struct Migrator: Sendable {
    /// The folder of `NNNN_name.sql` files.
    public var directory: String
    /// The bookkeeping table. Default `schema_migrations`.
    public var tableName: String
    /// The advisory lock key all migrating processes share.
    public var lockKey: Int64
    /// Logs each applied migration at `info`.
    public var logger: Logger

    /// Creates a migrator for a folder.
    public init(directory: String, tableName: String = "schema_migrations", logger: Logger) {
        self.directory = directory
        self.tableName = tableName
        // A stable key derived from the table name (FNV-1a), so two applications with
        // different tables in one database do not block each other.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "migrations:\(tableName)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        self.lockKey = Int64(bitPattern: hash)
        self.logger = logger
    }

    /// Reads and checks the migration files, sorted by version.
    public func loadMigrations() throws -> [Migration] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PostgresError(.migrationInvalid, "migrations folder \(directory) does not exist")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(.migrationInvalid, "migrations folder \(directory) cannot be read")
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let base = fileName.dropLast(4)
            let digits = base.prefix { $0.isASCII && $0.isNumber }
            let rest = base.dropFirst(digits.count)
            guard digits.count >= 4, rest.hasPrefix("_"), rest.count > 1, let version = Int64(digits),
                rest.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw PostgresError(
                    .migrationInvalid,
                    "\(fileName) is not named NNNN_name.sql (digits, '_', letters, digits, '_' or '-')"
                )
            }
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PostgresError(.migrationInvalid, "migration \(fileName) cannot be read")
            }
            guard let sql = String(data: data, encoding: .utf8) else {
                throw PostgresError(.migrationInvalid, "migration \(fileName) is not UTF-8")
            }
            guard !sql.contains("\0") else {
                throw PostgresError(.migrationInvalid, "migration \(fileName) contains a NUL byte")
            }
            migrations.append(
                Migration(
                    version: version,
                    name: String(rest.dropFirst()),
                    fileName: fileName,
                    sql: sql,
                    checksum: Migration.checksum(of: data)
                )
            )
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw PostgresError(
                .migrationInvalid,
                "\(previous.fileName) and \(next.fileName) have the same version \(next.version)"
            )
        }
        return migrations
    }

    /// Applies the pending migrations on a pooled connection.
    @discardableResult
    public func migrate(pool: PostgresPool) async throws -> MigrationReport {
        try await pool.withConnection { connection in try await migrate(on: connection) }
    }

    /// Applies the pending migrations on `connection`, one transaction each.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> MigrationReport {
        let migrations = try loadMigrations()
        let table = SQLQuery.quoteIdentifier(tableName)
        var applied: [Migration] = []
        var alreadyApplied = 0
        // No statement timeout: a migration may build an index, and waits for the lock.
        let options = PostgresTransactionOptions(statementTimeout: .zero)
        while true {
            let step: (Migration?, Int) = try await connection.withTransaction(options) { connection in
                try await connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
                try await connection.executeSimple(
                    """
                    CREATE TABLE IF NOT EXISTS \(table) (
                        version bigint PRIMARY KEY,
                        name text NOT NULL,
                        checksum text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """
                )
                let rows = try await connection.query(
                    SQLQuery(unsafeSQL: "SELECT version, name, checksum FROM \(table) ORDER BY version")
                )
                var appliedVersions: Set<Int64> = []
                for row in rows {
                    let version = try row.decode(Int64.self, "version")
                    let name = try row.decode(String.self, "name")
                    let checksum = try row.decode(String.self, "checksum")
                    appliedVersions.insert(version)
                    guard let file = migrations.first(where: { $0.version == version }) else {
                        throw PostgresError(
                            .migrationMissing,
                            "migration \(version) (\(name)) is recorded as applied but has no file in \(directory)"
                        )
                    }
                    guard file.checksum == checksum else {
                        throw PostgresError(
                            .migrationChecksumMismatch,
                            "\(file.fileName) was edited after it was applied (checksum differs); "
                                + "add a new migration instead"
                        )
                    }
                }
                guard let next = migrations.first(where: { !appliedVersions.contains($0.version) }) else {
                    return (nil, appliedVersions.count)
                }
                do {
                    try await connection.executeSimple(next.sql)
                } catch let error as PostgresError {
                    throw PostgresError(
                        .migrationFailed,
                        "\(next.fileName) failed: \(error.summary)",
                        sqlState: error.sqlState,
                        constraintName: error.constraintName,
                        tableName: error.tableName,
                        columnName: error.columnName,
                        serverMessage: error.serverMessage
                    )
                }
                guard connection.handle.transactionStatus() == PQTRANS_INTRANS else {
                    throw PostgresError(
                        .migrationFailed,
                        "\(next.fileName) ended the transaction itself (remove BEGIN/COMMIT/ROLLBACK)"
                    )
                }
                try await connection.execute(
                    SQLQuery(
                        unsafeSQL: "INSERT INTO \(table) (version, name, checksum) VALUES ($1, $2, $3)",
                        binds: {
                            var binds = PostgresBindings()
                            binds.append(next.version)
                            binds.append(next.name)
                            binds.append(next.checksum)
                            return binds
                        }()
                    )
                )
                return (next, appliedVersions.count)
            }
            guard let migration = step.0 else {
                alreadyApplied = step.1 - applied.count
                break
            }
            applied.append(migration)
            logger.info(
                "db.migration.applied",
                metadata: ["db.migration.version": "\(migration.version)", "db.migration.name": "\(migration.name)"]
            )
        }
        return MigrationReport(applied: applied, alreadyApplied: alreadyApplied)
    }
}
