import Foundation
import LocalPostgres
import Postgres
import TestSupport
import Testing

/// `kakao-login migrate` on bad input: one line on stderr naming the problem, never the
/// password, a non-zero exit, no hang, no crash. Runs the real binary.
@Suite("kakao-login migrate: bad input", .timeLimit(.minutes(3)))
struct MigrateCommandTests {
    static let password = "Sup3r-S3cret-Pw"

    private func expectOneLineFailure(
        _ output: KakaoLoginProcess.Output,
        mentions phrase: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(!output.timedOut, "the command hung", sourceLocation: sourceLocation)
        #expect(output.status != 0, sourceLocation: sourceLocation)
        let lines = output.standardError.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(output.standardError)", sourceLocation: sourceLocation)
        #expect(output.standardError.contains(phrase), "stderr: \(output.standardError)", sourceLocation: sourceLocation)
        for secret in [Self.password, "S3cret"] {
            #expect(!output.standardError.contains(secret), sourceLocation: sourceLocation)
            #expect(!output.standardOutput.contains(secret), sourceLocation: sourceLocation)
        }
        for crash in ["Fatal error", "Stack dump", "backtrace", "Current stack trace"] {
            #expect(!output.standardError.contains(crash), sourceLocation: sourceLocation)
        }
    }

    private func migrate(_ databaseURL: String?, directory: String? = nil) async throws -> KakaoLoginProcess.Output {
        var arguments = ["migrate"]
        if let directory { arguments += ["--migrations-dir", directory] }
        return try await KakaoLoginProcess.run(arguments, environment: ["DATABASE_URL": databaseURL, "DATABASE_URL_FILE": nil])
    }

    @Test(
        "a malformed DATABASE_URL",
        arguments: [
            "postgresql://kakao:\(password)@localhost:notaport/db",
            "host=/tmp user=kakao password=\(password) stray-word",
            "host=/tmp user=kakao password='\(password)",
            "postgresql://kakao:\(password)@[::1/db",
            "postgresql://kakao:Sup3r%zzS3cret@localhost/db",
            "postgresql://kakao@localhost/db?password=\(password)&bogus",
        ]
    )
    func malformedURL(_ url: String) async throws {
        let output = try await migrate(url)
        expectOneLineFailure(output, mentions: "connection")
    }

    @Test("a wrong password")
    func wrongPassword() async throws {
        try await withPrivateCluster { cluster in
            try await PostgresConnection.withConnection(
                configuration: .init(connectionString: cluster.connectionString()),
                logger: TestEnvironment.logger
            ) { admin in
                try await admin.execute("CREATE ROLE app LOGIN PASSWORD 'right-password'")
                try await admin.execute("CREATE DATABASE app OWNER app")
            }
            try await cluster.requirePasswords(for: "app")
            let wrong = "postgresql://app:\(Self.password)@/app?host=\(cluster.directory)"
            let output = try await migrate(wrong, directory: try TestEnvironment.migrationsDirectory())
            expectOneLineFailure(output, mentions: "password authentication failed")
            // The right password works, so the failure above really was the password.
            let right = "postgresql://app:right-password@/app?host=\(cluster.directory)"
            let ok = try await migrate(right, directory: try TestEnvironment.migrationsDirectory())
            #expect(ok.status == 0, "stderr: \(ok.standardError)")
        }
    }

    @Test("a server that is down")
    func serverDown() async throws {
        let output = try await migrate("postgresql://kakao:\(Self.password)@/postgres?host=/tmp/kl-no-server-here")
        expectOneLineFailure(output, mentions: "No such file or directory")
        let tcp = try await migrate("postgresql://kakao:\(Self.password)@127.0.0.1:1/postgres?connect_timeout=3")
        expectOneLineFailure(tcp, mentions: "refused")
    }

    @Test("a database that does not exist")
    func missingDatabase() async throws {
        let base = try TestEnvironment.databaseURL()
        let output = try await migrate(base + " dbname=kl_no_such_database password=\(Self.password)")
        expectOneLineFailure(output, mentions: "does not exist")
    }

    @Test("a migrations folder that cannot be read")
    func unreadableFolder() async throws {
        let base = try TestEnvironment.databaseURL()
        let missing = try await migrate(base, directory: "/nonexistent/kl-migrations")
        expectOneLineFailure(missing, mentions: "/nonexistent/kl-migrations")
        let file = NSTemporaryDirectory() + "kl-not-a-folder-\(UUID().uuidString)"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let notFolder = try await migrate(base, directory: file)
        expectOneLineFailure(notFolder, mentions: file)
    }

    @Test("an unreadable DATABASE_URL_FILE, or both variables set")
    func urlFile() async throws {
        let output = try await KakaoLoginProcess.run(
            ["migrate"],
            environment: ["DATABASE_URL": nil, "DATABASE_URL_FILE": "/nonexistent/kl-url"]
        )
        expectOneLineFailure(output, mentions: "DATABASE_URL_FILE")
        let file = NSTemporaryDirectory() + "kl-url-\(UUID().uuidString)"
        try (try TestEnvironment.databaseURL() + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let both = try await KakaoLoginProcess.run(
            ["migrate"],
            environment: ["DATABASE_URL": "host=/tmp", "DATABASE_URL_FILE": file]
        )
        expectOneLineFailure(both, mentions: "not both")
        let fromFile = try await KakaoLoginProcess.run(
            ["migrate", "--migrations-dir", try TestEnvironment.migrationsDirectory()],
            environment: ["DATABASE_URL": nil, "DATABASE_URL_FILE": file]
        )
        #expect(fromFile.status == 0, "stderr: \(fromFile.standardError)")
    }

    @Test("a LOG_LEVEL or LOG_FORMAT that names no level or format")
    func logSettings() async throws {
        for (variable, value) in [("LOG_LEVEL", "loud"), ("LOG_FORMAT", "yaml")] {
            let output = try await KakaoLoginProcess.run(
                ["migrate"],
                environment: ["DATABASE_URL": try TestEnvironment.databaseURL(), "DATABASE_URL_FILE": nil, variable: value]
            )
            expectOneLineFailure(output, mentions: "\(variable)")
            #expect(output.standardError.contains(value))
        }
    }

    @Test("no DATABASE_URL: libpq's PG* variables are used, as by psql")
    func pgVariables() async throws {
        let database = try await TestDatabase.shared.freshDatabase(prefix: "pgvars")
        let output = try await KakaoLoginProcess.run(
            ["migrate", "--migrations-dir", try TestEnvironment.migrationsDirectory()],
            environment: ["DATABASE_URL": nil, "DATABASE_URL_FILE": nil, "PGDATABASE": database.database]
        )
        #expect(output.status == 0, "stderr: \(output.standardError)")
        #expect(output.standardOutput.contains("already applied"))
        let recorded = try await PostgresConnection.withConnection(configuration: database, logger: TestEnvironment.logger) {
            try await $0.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS made").single().decode(Bool.self, "made")
        }
        #expect(recorded)
    }
}
