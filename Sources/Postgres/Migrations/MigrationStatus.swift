import Foundation

/// Where one migration stands in a database (`kakao-login migrate status`).
public struct MigrationStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Applied at that time, and the file is as it was then.
        case applied(at: Date)
        /// Applied, but the file changed since (the migrator refuses to run until it is restored).
        case edited(appliedAt: Date)
        /// A file not applied yet.
        case pending
        /// Recorded as applied, but no file has its version (the migrator refuses to run).
        case missing
    }

    public let version: Int64
    /// The file name, or the recorded name of a missing file.
    public let name: String
    public let state: State
}

extension Migrator {
    /// Every migration of the folder and of the database, by version; reads only (no lock,
    /// nothing created: a database never migrated lists every file as pending).
    public func status(on connection: PostgresConnection) async throws -> [MigrationStatus] {
        let files = try loadMigrations()
        let table = SQLQuery.quoteIdentifier(tableName)
        let exists = try await connection.query("SELECT to_regclass(\(tableName)) IS NOT NULL AS present").single()
            .decode(Bool.self, "present")
        var recorded: [Int64: (name: String, checksum: String, appliedAt: Date)] = [:]
        if exists {
            for row in try await connection.query(SQLQuery(unsafeSQL: "SELECT version, name, checksum, applied_at FROM \(table)")) {
                recorded[try row.decode(Int64.self, "version")] = (
                    try row.decode(String.self, "name"), try row.decode(String.self, "checksum"), try row.decode(Date.self, "applied_at")
                )
            }
        }
        var statuses = files.map { file -> MigrationStatus in
            guard let applied = recorded[file.version] else {
                return MigrationStatus(version: file.version, name: file.fileName, state: .pending)
            }
            let state: MigrationStatus.State =
                applied.checksum == file.checksum ? .applied(at: applied.appliedAt) : .edited(appliedAt: applied.appliedAt)
            return MigrationStatus(version: file.version, name: file.fileName, state: state)
        }
        let fileVersions = Set(files.map(\.version))
        for (version, applied) in recorded where !fileVersions.contains(version) {
            statuses.append(MigrationStatus(version: version, name: applied.name, state: .missing))
        }
        return statuses.sorted { $0.version < $1.version }
    }
}
