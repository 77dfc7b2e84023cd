import Foundation
import Postgres
import TestSupport
import Testing

/// `kakao-login queue …`, `migrate status` and `audit`, run as the real executable against a
/// database cloned from the migrated template: what each prints, and the refusals (one line, a
/// non-zero exit, nothing changed).
@Suite("queue, migrate status and audit commands")
struct QueueCommandTests {
    @Test("pause, a second pause, stuck shows it, resume, and resume with nothing paused")
    func pauseAndResume() async throws {
        let environment = try await Self.environment("queue_command_pause")
        let pause = try await KakaoLoginProcess.run(
            ["queue", "pause", "--provider", "kakao", "--reason", "incident 42"],
            environment: environment
        )
        #expect(pause.status == 0, "\(pause.standardError)")
        #expect(pause.standardOutput.contains("paused kakao: workers stop claiming its jobs within a second"))
        let again = try await KakaoLoginProcess.run(["queue", "pause", "--provider", "kakao"], environment: environment)
        #expect(again.standardOutput.contains("kakao was paused already"))
        let stuck = try await KakaoLoginProcess.run(["queue", "stuck"], environment: environment)
        #expect(stuck.status == 0, "\(stuck.standardError)")
        #expect(stuck.standardOutput.contains("PAUSED kakao"))
        #expect(stuck.standardOutput.contains("incident 42"))
        #expect(stuck.standardOutput.contains("no runnable job is waiting"))
        let resume = try await KakaoLoginProcess.run(["queue", "resume"], environment: environment)
        #expect(resume.standardOutput.contains("resumed kakao"))
        let nothing = try await KakaoLoginProcess.run(["queue", "resume"], environment: environment)
        #expect(nothing.status == 0)
        #expect(nothing.standardOutput.contains("nothing was paused"))
    }

    @Test("refusals: a malformed or too short duration, an unknown provider, a malformed or unknown id")
    func refusals() async throws {
        let environment = try await Self.environment("queue_command_refusals")
        let cases: [([String], Int32, String)] = [
            (["queue", "purge", "--older-than", "5x"], 64, "--older-than must be a number and s, m, h or d"),
            (["queue", "purge", "--older-than", "30m"], 64, "at least 1h"),
            (["queue", "pause", "--provider", "facebook"], 64, "unknown provider facebook"),
            (["queue", "retry", "42"], 64, "must be a login_id or deletion_id"),
            (["queue", "cancel", "4d6f1f9e-0000-4000-8000-000000000000"], 1, "no job 4d6f1f9e-0000-4000-8000-000000000000"),
            (["queue", "retry", "4d6f1f9e-0000-4000-8000-000000000000"], 1, "no job 4d6f1f9e-0000-4000-8000-000000000000"),
        ]
        for (arguments, status, message) in cases {
            let run = try await KakaoLoginProcess.run(arguments, environment: environment)
            #expect(run.status == status, "\(arguments): \(run.standardError)")
            #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
        }
        let purge = try await KakaoLoginProcess.run(["queue", "purge", "--older-than", "2h"], environment: environment)
        #expect(purge.status == 0, "\(purge.standardError)")
        #expect(purge.standardOutput.contains("purged 0 finished jobs and 0 attempts older than 2h"))
    }

    @Test("migrate status lists every migration applied, and a new file as pending")
    func migrateStatus() async throws {
        let environment = try await Self.environment("migrate_status_command")
        let folder = NSTemporaryDirectory() + "kl-status-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = try TestEnvironment.migrationsDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".sql") }.sorted()
        for file in files { try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder + "/" + file) }
        try "SELECT 1;\n".write(toFile: folder + "/9999_next.sql", atomically: true, encoding: .utf8)

        let run = try await KakaoLoginProcess.run(["migrate", "status", "--migrations-dir", folder], environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("applied ") }.count == files.count)
        #expect(lines.contains { $0.hasPrefix("pending  9999_next.sql") })
        #expect(run.standardOutput.contains("migrations: \(files.count) applied, 1 pending, 0 the migrator refuses"))
    }

    @Test("audit prints a user's events, or says there are none")
    func audit() async throws {
        let database = try await TestDatabase.shared.configuration(for: "audit_command", fromTemplate: true)
        let environment = ["DATABASE_URL": try TestEnvironment.databaseURL(database: try #require(database.database))]
        let (user, stranger) = (UUID(), UUID())
        try await withPool(database) { pool in
            try await pool.execute("INSERT INTO users (id) VALUES (\(user)), (\(stranger))")
            try await pool.execute("INSERT INTO sessions (user_id, client_network) VALUES (\(user), '203.0.113.0/24')")
            try await pool.execute("UPDATE sessions SET revoked_at = now(), revoked_reason = 'admin' WHERE user_id = \(user)")
        }
        let run = try await KakaoLoginProcess.run(["audit", "--user", user.uuidString], environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("session_revoked  kakao  reason=admin"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("from 203.0.113.0/24"))
        let none = try await KakaoLoginProcess.run(["audit", "--user", stranger.uuidString], environment: environment)
        #expect(none.status == 0, "\(none.standardError)")
        #expect(none.standardOutput.contains("no events for user \(stranger.uuidString.lowercased())"))
    }

    /// `DATABASE_URL` of a fresh database cloned from the migrated template.
    static func environment(_ name: String) async throws -> [String: String?] {
        let database = try await TestDatabase.shared.configuration(for: name, fromTemplate: true)
        return ["DATABASE_URL": try TestEnvironment.databaseURL(database: try #require(database.database))]
    }
}
