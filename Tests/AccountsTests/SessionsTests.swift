import Accounts
import Crypto
import Foundation
import JWTKit
import Postgres
import TestSupport
import Testing

@Suite("Sessions: refresh rotation, grace, reuse, expiry, logout, /me")
struct SessionsTests {
    static let suite = "accounts_sessions"

    static func keys() async throws -> AccessTokenKeys {
        try await AccessTokenKeys(keys: [("s1", ES256PrivateKey())], signingKID: nil, issuer: "kakao-login", audience: "kakao-login")
    }

    func sha256(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    @Test("a new session: 256-bit base64url token stored only as its hash, a 30-day family")
    func create() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            #expect(session.refreshToken.utf8.count == 43)
            #expect(session.refreshToken.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            let pending = fixture.sessions.prepare()
            #expect(!pending.description.contains(pending.refreshToken))

            let row = try await fixture.pool.query(
                """
                SELECT s.user_id, s.provider, s.login_job_id, s.expires_at - s.created_at = interval '30 days' AS thirty_days,
                       t.token_hash, t.parent_id IS NULL AS first, t.expires_at = s.expires_at AS same_expiry
                FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id WHERE s.id = \(session.sessionID)
                """
            ).single()
            #expect(try row.decode(UUID.self, "user_id") == user.userID)
            #expect(try row.decode(String.self, "provider") == "kakao")
            #expect(try row.decode(Int64?.self, "login_job_id") == 42)
            #expect(try row.decode(Bool.self, "thirty_days"))
            #expect(try row.decode([UInt8].self, "token_hash") == sha256(session.refreshToken))
            #expect(try row.decode(Bool.self, "first") && row.decode(Bool.self, "same_expiry"))
            // No column anywhere holds the token's text.
            let plaintext = try await fixture.pool.query(
                """
                SELECT count(*) AS n FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id
                WHERE strpos(s::text || t::text, \(session.refreshToken)) > 0
                """
            ).single().decode(Int.self, "n")
            #expect(plaintext == 0)
        }
    }

    @Test("refresh rotates: a new child each time, parent marked rotated, same session and user")
    func rotation() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let first = try await fixture.sessions.refresh(session.refreshToken)
            #expect(first.sessionID == session.sessionID && first.userID == user.userID)
            #expect(first.refreshToken != session.refreshToken && first.refreshToken.utf8.count == 43)
            #expect(try await fixture.sessions.accessTokens.verify(first.accessToken).sessionID == session.sessionID)
            let second = try await fixture.sessions.refresh(first.refreshToken)
            #expect(second.refreshToken != first.refreshToken && second.refreshToken != session.refreshToken)

            let chain = try await fixture.pool.query(
                """
                SELECT t.token_hash, t.rotated_at IS NOT NULL AS rotated, p.token_hash AS parent_hash
                FROM refresh_tokens t LEFT JOIN refresh_tokens p ON p.id = t.parent_id
                WHERE t.session_id = \(session.sessionID) ORDER BY t.id
                """
            )
            #expect(chain.count == 3)
            #expect(try chain.map { try $0.decode(Bool.self, "rotated") } == [true, true, false])
            #expect(try chain[2].decode([UInt8]?.self, "parent_hash") == sha256(first.refreshToken))
            #expect(try chain[2].decode([UInt8].self, "token_hash") == sha256(second.refreshToken))
            #expect(try await fixture.revokedReason(of: session.sessionID) == nil)
        }
    }

    @Test("presenting a rotated token again within the grace window returns the same child")
    func graceReturnsSameChild() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let child = try await fixture.sessions.refresh(session.refreshToken)
            let before = try await fixture.snapshot(of: user.userID)
            let again = try await fixture.sessions.refresh(session.refreshToken)
            // The same child refresh token; the access token is signed afresh (a new `jti`).
            #expect(again.refreshToken == child.refreshToken && again.sessionID == child.sessionID)
            #expect(again.accessToken != child.accessToken)
            #expect(try await fixture.snapshot(of: user.userID) == before)
            // 6 seconds later is still within the 10-second window (the rest is slack for a
            // loaded test machine: the window is measured on the database clock).
            try await fixture.age(session: session.sessionID, bySeconds: 6)
            let later = try await fixture.sessions.refresh(session.refreshToken)
            #expect(later.refreshToken == child.refreshToken && later.sessionID == child.sessionID)
            // The child works as usual.
            let grandchild = try await fixture.sessions.refresh(child.refreshToken)
            #expect(grandchild.refreshToken != child.refreshToken)
        }
    }

    @Test("concurrent refreshes with one token all get the same child, and only one child is stored")
    func concurrentRefresh() async throws {
        let callers = 6
        try await AccountsFixture.run(suite: Self.suite, connections: callers) { fixture in
            let (_, session) = try await fixture.newSession()
            let answers = try await withThrowingTaskGroup(of: IssuedTokens.self) { group in
                for _ in 0..<callers { group.addTask { try await fixture.sessions.refresh(session.refreshToken) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(answers.map(\.refreshToken)).count == 1)
            let tokens = try await fixture.pool.query("SELECT count(*) AS n FROM refresh_tokens WHERE session_id = \(session.sessionID)")
                .single().decode(Int.self, "n")
            #expect(tokens == 2)
        }
    }

    @Test("reuse after the window revokes the whole family: even the newest child is refused")
    func reuseRevokesFamily() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let keys = try await Self.keys()
            let child = try await fixture.sessions.refresh(session.refreshToken)
            let grandchild = try await fixture.sessions.refresh(child.refreshToken)
            let access = try await keys.sign(userID: user.userID, sessionID: session.sessionID)
            #expect(try await fixture.sessions.activeUser(for: keys.verify(access.token)).id == user.userID)

            try await fixture.age(session: session.sessionID, bySeconds: 11)
            let reuse = await #expect(throws: AccountsError.self) { try await fixture.sessions.refresh(session.refreshToken) }
            #expect(reuse?.code == .refreshTokenReused)
            #expect(try await fixture.revokedReason(of: session.sessionID) == "refresh_token_reuse")
            let unrevoked = try await fixture.pool.query(
                "SELECT count(*) AS n FROM refresh_tokens WHERE session_id = \(session.sessionID) AND revoked_at IS NULL"
            ).single().decode(Int.self, "n")
            #expect(unrevoked == 0)

            let before = try await fixture.snapshot(of: user.userID)
            for token in [grandchild.refreshToken, child.refreshToken, session.refreshToken] {
                let refused = await #expect(throws: AccountsError.self) { try await fixture.sessions.refresh(token) }
                #expect(refused?.code == .sessionRevoked)
            }
            let me = await #expect(throws: AccountsError.self) { try await fixture.sessions.activeUser(for: keys.verify(access.token)) }
            #expect(me?.code == .sessionRevoked)
            #expect(try await fixture.snapshot(of: user.userID) == before)
        }
    }

    @Test("a reuse racing refreshes of the newest token and a logout never deadlocks, and the family ends revoked")
    func reuseRacingRefresh() async throws {
        try await AccountsFixture.run(suite: Self.suite, connections: 6) { fixture in
            for _ in 0..<5 {
                let (_, session) = try await fixture.newSession()
                let child = try await fixture.sessions.refresh(session.refreshToken)
                try await fixture.age(session: session.sessionID, bySeconds: 11)
                let codes = try await withThrowingTaskGroup(of: AccountsError.Code?.self) { group in
                    group.addTask { await Self.code { _ = try await fixture.sessions.refresh(session.refreshToken) } }
                    for _ in 0..<3 { group.addTask { await Self.code { _ = try await fixture.sessions.refresh(child.refreshToken) } } }
                    group.addTask { await Self.code { try await fixture.sessions.logout(refreshToken: child.refreshToken) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                // Whatever the order, no call failed for another reason (a deadlock would).
                #expect(codes.allSatisfy { [nil, .refreshTokenReused, .sessionRevoked].contains($0) })
                let reason = try await fixture.revokedReason(of: session.sessionID)
                #expect(reason == "refresh_token_reuse" || reason == "logout")
            }
        }
    }

    /// The `AccountsError` code `body` threw, nil when it returned; other errors are rethrown.
    static func code(_ body: () async throws -> Void) async -> AccountsError.Code? {
        do {
            try await body()
            return nil
        } catch let error as AccountsError {
            return error.code
        } catch {
            Issue.record(error)
            return nil
        }
    }

    @Test("a family ends 30 days after its session was created, however often it was refreshed")
    func familyExpiry() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let keys = try await Self.keys()
            let child = try await fixture.sessions.refresh(session.refreshToken)
            let access = try await keys.sign(userID: user.userID, sessionID: session.sessionID)

            // 29 days and 23 hours in: still alive.
            try await fixture.age(session: session.sessionID, bySeconds: 30 * 86_400 - 3_600)
            let late = try await fixture.sessions.refresh(child.refreshToken)
            // Past 30 days: over.
            try await fixture.age(session: session.sessionID, bySeconds: 3_601)
            let before = try await fixture.snapshot(of: user.userID)
            let expired = await #expect(throws: AccountsError.self) { try await fixture.sessions.refresh(late.refreshToken) }
            #expect(expired?.code == .sessionExpired)
            let me = await #expect(throws: AccountsError.self) { try await fixture.sessions.activeUser(for: keys.verify(access.token)) }
            #expect(me?.code == .sessionExpired)
            #expect(try await fixture.snapshot(of: user.userID) == before)
        }
    }

    @Test("logout revokes the session and its family; refresh and /me are refused afterwards")
    func logout() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let keys = try await Self.keys()
            let child = try await fixture.sessions.refresh(session.refreshToken)
            let access = try await keys.sign(userID: user.userID, sessionID: session.sessionID)

            try await fixture.sessions.logout(refreshToken: child.refreshToken)
            #expect(try await fixture.revokedReason(of: session.sessionID) == "logout")
            let refused = await #expect(throws: AccountsError.self) { try await fixture.sessions.refresh(child.refreshToken) }
            #expect(refused?.code == .sessionRevoked)
            let me = await #expect(throws: AccountsError.self) { try await fixture.sessions.activeUser(for: keys.verify(access.token)) }
            #expect(me?.code == .sessionRevoked)

            // Logging out again (with any token of the family) changes nothing and succeeds.
            let before = try await fixture.snapshot(of: user.userID)
            try await fixture.sessions.logout(refreshToken: session.refreshToken)
            #expect(try await fixture.snapshot(of: user.userID) == before)
            #expect(try await fixture.revokedReason(of: session.sessionID) == "logout")
        }
    }

    @Test("logout with a rotated token of the family also ends it")
    func logoutWithRotatedToken() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (_, session) = try await fixture.newSession()
            let child = try await fixture.sessions.refresh(session.refreshToken)
            try await fixture.sessions.logout(refreshToken: session.refreshToken)
            let refused = await #expect(throws: AccountsError.self) { try await fixture.sessions.refresh(child.refreshToken) }
            #expect(refused?.code == .sessionRevoked)
        }
    }

    @Test("/me: the user of an active session; a token naming another user or an unknown session is refused")
    func activeUser() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let keys = try await Self.keys()
            let me = try await fixture.sessions.activeUser(
                for: keys.verify(keys.sign(userID: user.userID, sessionID: session.sessionID).token)
            )
            #expect(me.id == user.userID && me.displayName == "세션")

            for claims in [
                try await keys.sign(userID: UUID(), sessionID: session.sessionID).claims,
                try await keys.sign(userID: user.userID, sessionID: UUID()).claims,
            ] {
                let error = await #expect(throws: AccountsError.self) { try await fixture.sessions.activeUser(for: claims) }
                #expect(error?.code == .invalidAccessToken)
            }
            var notAUUID = try await keys.sign(userID: user.userID, sessionID: session.sessionID).claims
            notAUUID.sid = "not-a-uuid"
            let error = await #expect(throws: AccountsError.self) { try await fixture.sessions.activeUser(for: notAUUID) }
            #expect(error?.code == .invalidAccessToken)
        }
    }

    @Test("malformed, over-long, unknown and refused refresh tokens change nothing")
    func badRefreshTokens() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            let before = try await fixture.snapshot(of: user.userID)
            let token = session.refreshToken
            let allButLast = String(token.dropLast())
            let malformed: [String] = [
                "", "short", allButLast, token + "A", String(repeating: "A", count: 100_000), allButLast + "=",
                allButLast + "+", allButLast + "é", " " + String(token.dropFirst()), allButLast + "\0",
            ]
            let unknown = String(repeating: "A", count: 43)
            for bad in malformed + [unknown] {
                let refresh = await #expect(throws: AccountsError.self) { try await fixture.sessions.refresh(bad) }
                #expect(refresh?.code == .invalidRefreshToken)
                let logout = await #expect(throws: AccountsError.self) { try await fixture.sessions.logout(refreshToken: bad) }
                #expect(logout?.code == .invalidRefreshToken)
            }
            #expect(try await fixture.snapshot(of: user.userID) == before)
            // The genuine token still works.
            _ = try await fixture.sessions.refresh(token)
        }
    }

    @Test("after a derivation-key change the grace answer is refused, not re-derived wrongly, and nothing is written")
    func derivationKeyChange() async throws {
        try await AccountsFixture.run(suite: Self.suite) { fixture in
            let (user, session) = try await fixture.newSession()
            _ = try await fixture.sessions.refresh(session.refreshToken)
            let before = try await fixture.snapshot(of: user.userID)
            let otherKey = Sessions(
                pool: fixture.pool,
                configuration: try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256)),
                accessTokens: fixture.sessions.accessTokens,
                logger: TestEnvironment.logger
            )
            let error = await #expect(throws: AccountsError.self) { try await otherKey.refresh(session.refreshToken) }
            #expect(error?.code == .invalidRefreshToken)
            #expect(try await fixture.snapshot(of: user.userID) == before)
        }
    }

    @Test("configuration: defaults, and values out of range are refused")
    func configuration() throws {
        let defaults = try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256))
        #expect(defaults.familyLifetime == .seconds(30 * 86_400))
        #expect(defaults.reuseGrace == .seconds(10))
        for make in [
            { try SessionConfiguration(derivationKey: SymmetricKey(size: .bits128)) },
            { try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256), familyLifetime: .zero) },
            { try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256), reuseGrace: .seconds(-1)) },
            { try SessionConfiguration(derivationKey: SymmetricKey(size: .bits256), familyLifetime: .seconds(5), reuseGrace: .seconds(5)) },
        ] as [() throws -> SessionConfiguration] {
            let error = #expect(throws: AccountsError.self) { _ = try make() }
            #expect(error?.code == .invalidConfiguration)
        }
    }
}
