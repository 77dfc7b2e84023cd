import Foundation
import LocalPostgres
import TestSupport
import Testing

@testable import Postgres

/// A folder of migration files of the test's own.
private struct MigrationFolder {
    let path = NSTemporaryDirectory() + "kl-migrations-\(UUID().uuidString.prefix(8))"

    init(_ files: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, sql) in files { try write(name, sql) }
    }

    func write(_ name: String, _ sql: String) throws {
        try sql.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: path + "/" + name) }

    func delete() { try? FileManager.default.removeItem(atPath: path) }
}

private let threeMigrations = [
    "0001_accounts.sql": "CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL);\n",
    "0002_sessions.sql": """
    -- several statements in one file
    CREATE TABLE sessions (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts);
    CREATE INDEX sessions_account ON sessions (account_id);
    """,
    "0003_seed.sql": "INSERT INTO accounts (name) VALUES ('seed');\n",
    "README.md": "not a migration",
]

@Suite("Migrator", .timeLimit(.minutes(3)))
struct MigratorTests {
    @discardableResult
    private func migrate(_ folder: MigrationFolder, _ configuration: PostgresConfiguration) async throws -> MigrationReport {
        try await PostgresConnection.withConnection(configuration: configuration, logger: TestEnvironment.logger) { conn in
            try await Migrator(directory: folder.path, logger: TestEnvironment.logger).migrate(on: conn)
        }
    }

    private func applied(_ configuration: PostgresConfiguration) async throws -> [(Int64, String, String)] {
        try await PostgresConnection.withConnection(configuration: configuration, logger: TestEnvironment.logger) { conn in
            try await conn.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version").map {
                (try $0.decode(Int64.self, "version"), try $0.decode(String.self, "name"), try $0.decode(String.self, "checksum"))
            }
        }
    }

    @Test("applies in order and records each; a second run is a no-op")
    func migrateTwice() async throws {
        let folder = try MigrationFolder(threeMigrations)
        defer { folder.delete() }
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig")
        let first = try await migrate(folder, database)
        #expect(first.applied.map(\.fileName) == ["0001_accounts.sql", "0002_sessions.sql", "0003_seed.sql"])
        #expect(first.alreadyApplied == 0)
        let second = try await migrate(folder, database)
        #expect(second.applied.isEmpty)
        #expect(second.alreadyApplied == 3)
        let rows = try await applied(database)
        #expect(rows.map(\.0) == [1, 2, 3])
        #expect(rows.map(\.1) == ["accounts", "sessions", "seed"])
        // Checksums are sha256 of the file bytes, as PostgreSQL (and sha256sum) compute them.
        try await PostgresConnection.withConnection(configuration: database, logger: TestEnvironment.logger) { conn in
            for (version, _, checksum) in rows {
                let file = try #require(threeMigrations.first { $0.key.hasPrefix(String(format: "%04d", version)) })
                let expected = try await conn.query("SELECT encode(sha256(\(Array(file.value.utf8))), 'hex') AS h")
                    .single().decode(String.self, "h")
                #expect(checksum == expected)
            }
            let seeded = try await conn.query("SELECT count(*) AS n FROM accounts").single().decode(Int.self, "n")
            #expect(seeded == 1)
        }
    }

    @Test("a checksum is the file's SHA-256 in lowercase hex, as sha256sum prints it")
    func checksumFormat() {
        // FIPS 180-4's test vectors, as `printf … | sha256sum` prints them: rows recorded by an
        // earlier migrator (or compared with sha256sum by an operator) must keep matching.
        #expect(Migration.checksum(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Migration.checksum(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Migration.checksum(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
    }

    @Test("the repository's migrations are recorded with the checksums sha256sum prints")
    func checksumsMatchSha256sum() async throws {
        let directory = try TestEnvironment.migrationsDirectory()
        let migrations = try Migrator(directory: directory, logger: TestEnvironment.logger).loadMigrations()
        try #require(!migrations.isEmpty)
        let output = NSTemporaryDirectory() + "kl-sha256sum-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try await ChildProcess.run(
            ["/usr/bin/sha256sum"] + migrations.map { directory + "/" + $0.fileName },
            outputPath: output
        )
        #expect(status == 0)
        // One `<hex digest>  <path>` line per file, in the order given.
        let printed = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map { String($0.prefix(64)) }
        #expect(printed == migrations.map(\.checksum))
    }

    @Test("an empty folder is a no-op")
    func emptyFolder() async throws {
        let folder = try MigrationFolder([:])
        defer { folder.delete() }
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig")
        let report = try await migrate(folder, database)
        #expect(report.applied.isEmpty && report.alreadyApplied == 0)
        #expect(try await applied(database).isEmpty)
    }

    @Test("an applied file that was edited is refused, and nothing else runs")
    func editedMigrationRefused() async throws {
        let folder = try MigrationFolder(["0001_accounts.sql": threeMigrations["0001_accounts.sql"]!])
        defer { folder.delete() }
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig")
        try await migrate(folder, database)
        try folder.write("0001_accounts.sql", threeMigrations["0001_accounts.sql"]! + "-- a harmless comment\n")
        try folder.write("0002_sessions.sql", threeMigrations["0002_sessions.sql"]!)
        let error = try await #require(throws: PostgresError.self) { try await migrate(folder, database) }
        #expect(error.code == .migrationChecksumMismatch)
        #expect(error.description.contains("0001_accounts.sql"))
        #expect(try await applied(database).count == 1)
    }

    @Test("an applied migration whose file is gone is refused")
    func missingMigrationRefused() async throws {
        let folder = try MigrationFolder(threeMigrations)
        defer { folder.delete() }
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig")
        try await migrate(folder, database)
        try folder.remove("0002_sessions.sql")
        let error = try await #require(throws: PostgresError.self) { try await migrate(folder, database) }
        #expect(error.code == .migrationMissing)
    }

    @Test("a failing migration is rolled back whole; earlier ones stay applied")
    func failingMigrationRollsBack() async throws {
        let folder = try MigrationFolder([
            "0001_ok.sql": "CREATE TABLE ok (v int);",
            "0002_broken.sql": "CREATE TABLE half (v int);\nSELECT 1/0;",
        ])
        defer { folder.delete() }
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig")
        let error = try await #require(throws: PostgresError.self) { try await migrate(folder, database) }
        #expect(error.code == .migrationFailed)
        #expect(error.sqlState == "22012")
        #expect(error.description.contains("0002_broken.sql"))
        #expect(try await applied(database).map(\.0) == [1])
        try await PostgresConnection.withConnection(configuration: database, logger: TestEnvironment.logger) { conn in
            let gone = try await conn.query("SELECT to_regclass('half') IS NULL AS gone").single().decode(Bool.self, "gone")
            #expect(gone)
        }
    }

    @Test("badly named files, duplicate versions and transaction control are refused")
    func invalidFolders() async throws {
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig")
        for files in [["1_short.sql": "SELECT 1"], ["0001_a b.sql": "SELECT 1"], ["0001_a.sql": "", "0001_b.sql": ""]] {
            let folder = try MigrationFolder(files)
            defer { folder.delete() }
            let error = try await #require(throws: PostgresError.self) { try await migrate(folder, database) }
            #expect(error.code == .migrationInvalid)
        }
        let committing = try MigrationFolder(["0001_commit.sql": "CREATE TABLE c (v int); COMMIT;"])
        defer { committing.delete() }
        let error = try await #require(throws: PostgresError.self) { try await migrate(committing, database) }
        #expect(error.code == .migrationFailed)
        let missing = try #require(throws: PostgresError.self) {
            try Migrator(directory: "/nonexistent/kl-migrations", logger: TestEnvironment.logger).loadMigrations()
        }
        #expect(missing.code == .migrationInvalid)
    }

    @Test("three `kakao-login migrate` processes at once apply each migration exactly once")
    func threeProcessesAtOnce() async throws {
        var files = threeMigrations
        // Slow the first migration down so the processes really overlap.
        files["0001_accounts.sql"] = "SELECT pg_sleep(0.5);\n" + files["0001_accounts.sql"]!
        let folder = try MigrationFolder(files)
        defer { folder.delete() }
        let database = try await TestDatabase.shared.freshDatabase(prefix: "mig3")
        let url = try TestEnvironment.databaseURL(database: try #require(database.database))
        let outputs = try await withThrowingTaskGroup(of: KakaoLoginProcess.Output.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await KakaoLoginProcess.run(
                        ["migrate", "--migrations-dir", folder.path],
                        environment: ["DATABASE_URL": url]
                    )
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for output in outputs {
            #expect(output.status == 0, "stderr: \(output.standardError)")
        }
        let appliedLines = outputs.flatMap { $0.standardOutput.split(separator: "\n") }.filter { $0.hasPrefix("applied ") }
        #expect(appliedLines.count == 3)
        #expect(Set(appliedLines).count == 3)
        #expect(try await applied(database).map(\.0) == [1, 2, 3])
    }

    @Test("the repository's migrations apply to an empty database")
    func repositoryMigrations() async throws {
        let database = try await TestDatabase.shared.freshDatabase(prefix: "repo")
        let report = try await PostgresConnection.withConnection(configuration: database, logger: TestEnvironment.logger) {
            conn in
            try await Migrator(directory: try TestEnvironment.migrationsDirectory(), logger: TestEnvironment.logger)
                .migrate(on: conn)
        }
        let files = try Migrator(directory: try TestEnvironment.migrationsDirectory(), logger: TestEnvironment.logger)
            .loadMigrations()
        #expect(report.applied.count == files.count)
    }
}
