import Foundation
import Postgres
import TestSupport
import Testing

/// `kakao-login sessions list|revoke --user ID`, run as the real executable against a database
/// cloned from the migrated template.
@Suite("sessions command")
struct SessionsCommandTests {
    @Test("revoke ends every active session of the user and nothing else; list shows why")
    func revokeAndList() async throws {
        let database = try await TestDatabase.shared.configuration(for: "sessions_command", fromTemplate: true)
        let (user, other) = (UUID(), UUID())
        try await withPool(database) { pool in
            try await pool.execute("INSERT INTO users (id) VALUES (\(user)), (\(other))")
            for owner in [user, user, other] {
                try await pool.execute(
                    """
                    WITH s AS (INSERT INTO sessions (user_id) VALUES (\(owner)) RETURNING id, expires_at)
                    INSERT INTO refresh_tokens (session_id, token_hash, expires_at) SELECT id, sha256(gen_random_uuid()::text::bytea), expires_at FROM s
                    """
                )
            }
        }
        let environment = ["DATABASE_URL": try TestEnvironment.databaseURL(database: try #require(database.database))]
        let revoke = try await KakaoLoginProcess.run(["sessions", "revoke", "--user", user.uuidString], environment: environment)
        #expect(revoke.status == 0, "\(revoke.standardError)")
        #expect(revoke.standardOutput.contains("revoked 2 sessions of user \(user.uuidString.lowercased())"))
        try await withPool(database) { pool in
            let rows = try await pool.query(
                """
                SELECT s.user_id, s.revoked_reason, bool_and(t.revoked_at IS NOT NULL) AS tokens_revoked
                FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id GROUP BY s.id
                """
            )
            for row in rows {
                let revoked = try row.decode(UUID.self, "user_id") == user
                #expect(try row.decode(String?.self, "revoked_reason") == (revoked ? "admin" : nil))
                #expect(try row.decode(Bool.self, "tokens_revoked") == revoked)
            }
        }
        let again = try await KakaoLoginProcess.run(["sessions", "revoke", "--user", user.uuidString], environment: environment)
        #expect(again.standardOutput.contains("revoked 0 sessions"))
        let list = try await KakaoLoginProcess.run(["sessions", "list", "--user", user.uuidString], environment: environment)
        #expect(list.status == 0)
        #expect(list.standardOutput.split(separator: "\n").filter { $0.contains("revoked (admin)") }.count == 2)
    }

    @Test("an unknown user is one line and exit 1; a malformed id is a usage error; nothing is written")
    func badInput() async throws {
        let database = try await TestDatabase.shared.configuration(for: "sessions_command_bad", fromTemplate: true)
        let environment = ["DATABASE_URL": try TestEnvironment.databaseURL(database: try #require(database.database))]
        let unknown = UUID()
        let run = try await KakaoLoginProcess.run(["sessions", "revoke", "--user", unknown.uuidString], environment: environment)
        #expect(run.status == 1)
        #expect(run.standardError.contains("no user \(unknown.uuidString.lowercased())"))
        let malformed = try await KakaoLoginProcess.run(["sessions", "revoke", "--user", "42"], environment: environment)
        #expect(malformed.status == 64)
        #expect(malformed.standardError.contains("--user must be a user id"))
    }
}
