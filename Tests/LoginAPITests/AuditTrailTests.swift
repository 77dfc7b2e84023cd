import Accounts
import Foundation
import LoginAPI
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// The audit trail over HTTP: every change leaves its event, written in the change's own
/// transaction; every refused request leaves none; no event carries a token, code or email.
@Suite("Audit trail")
struct AuditTrailTests {
    @Test("a user's story: signup, login, logout, refresh-token reuse, a session ended, account deletion")
    func userStory() async throws {
        var options = Harness.Options()
        options.refreshReuseGrace = .milliseconds(1)
        try await Harness.run(options) { harness in
            let first = try await harness.logIn(userID: 9101)
            let userID = try Self.userID(of: first)
            let second = try await harness.logIn(userID: 9101)
            _ = try await harness.logIn(userID: 9101)
            let fourth = try await harness.logIn(userID: 9101)

            // logout with the refresh token
            let logout = try await harness.send(
                .POST,
                "/auth/logout",
                body: #"{"refresh_token": "\#(try #require(first["refresh_token"] as? String))"}"#
            )
            #expect(logout.status == 204)
            // a rotated refresh token presented again after the grace window
            let secondRefresh = try #require(second["refresh_token"] as? String)
            #expect(try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(secondRefresh)"}"#).status == 200)
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(secondRefresh)"}"#).status == 401)

            let before = try await Self.events(harness, userID)
            // refused requests: nothing recorded
            let fourthBearer = [("Authorization", "Bearer \(try #require(fourth["access_token"] as? String))")]
            #expect(try await harness.send(.DELETE, "/me/sessions/\(UUID().uuidString)", headers: fourthBearer).status == 404)
            #expect(try await harness.send(.POST, "/auth/logout", body: #"{"refresh_token": "not-a-token"}"#).status != 204)
            #expect(try await harness.send(.DELETE, "/me/identities/kakao", headers: fourthBearer).status == 409)
            #expect(try await harness.send(.DELETE, "/me", headers: [("Authorization", "Bearer nope")]).status == 401)
            #expect(try await Self.events(harness, userID) == before, "refused requests record nothing")

            // a session ended by the user from another one
            let sessions = try await harness.send(.GET, "/me/sessions", headers: fourthBearer).object()["sessions"] as? [[String: Any]]
            let thirdSession = try #require(sessions?.first { $0["current"] as? Bool == false }?["id"] as? String)
            #expect(try await harness.send(.DELETE, "/me/sessions/\(thirdSession)", headers: fourthBearer).status == 204)

            let deleted = try await harness.send(.DELETE, "/me", headers: fourthBearer)
            let deletionID = try #require(try deleted.object()["deletion_id"] as? String)
            try await waitUntil("the deletion finished") {
                try await harness.send(.GET, "/me/deletion/\(deletionID)", headers: fourthBearer).object()["status"] as? String
                    == "succeeded"
            }

            let events = try await Self.events(harness, userID)
            let names = events.map(\.event)
            #expect(names.filter { $0 == "login_succeeded" }.count == 4)
            #expect(events.first?.event == "login_succeeded" && events.first?.detail == "is_new_user=true")
            #expect(events.filter { $0.event == "login_succeeded" }.dropFirst().allSatisfy { $0.detail == "is_new_user=false" })
            #expect(events.first?.clientNetwork == "127.0.0.0/24")
            #expect(events.first?.provider == "kakao")
            #expect(events.first?.requestID == nil, "a worker completed the login: no request")
            let logoutEvent = try #require(events.first { $0.event == "logout" })
            #expect(logoutEvent.requestID == logout.headers["X-Request-Id"].first, "the request that logged out")
            #expect(names.filter { $0 == "logout" }.count == 2, "the logout and the session ended from another: \(names)")
            #expect(names.filter { $0 == "refresh_token_reuse_detected" }.count == 1)
            let tail = Array(names.drop { $0 != "account_deletion_requested" })
            #expect(tail.first == "account_deletion_requested")
            #expect(tail.contains("provider_disconnected"))
            #expect(tail.contains("account_deleted"), "one statement erases the account: its events share a time, in no set order")
            #expect(events.contains { $0.event == "session_revoked" && $0.detail == "reason=user_deleted" })
            #expect(events.contains { $0.event == "identity_unlinked" && $0.detail == "by=account_deletion" })
            #expect(events.allSatisfy { $0.occurredAt <= Date() })

            // never a token, a code or an email
            let text = try await harness.pool.query("SELECT string_agg(auth_events::text, ' ') AS all_rows FROM auth_events").single()
                .decode(String.self, "all_rows")
            for secret in [first["access_token"], first["refresh_token"], second["refresh_token"], fourth["access_token"]] {
                #expect(!text.contains(try #require(secret as? String)))
            }
            #expect(!text.contains("@"), "no email")

            // append-only
            await #expect(throws: PostgresError.self) {
                try await harness.pool.execute("UPDATE auth_events SET event = 'logout'")
            }
        }
    }

    @Test("a failed login and Kakao's unlink callback are recorded; a callback with a wrong key is not")
    func failuresAndCallback() async throws {
        var options = Harness.Options()
        options.api.kakaoUnlinkHook = .init(adminKey: "emulator-admin-key", provider: "kakao")
        try await Harness.run(options) { harness in
            let login = try await harness.logIn(userID: 9201)
            let userID = try Self.userID(of: login)

            let attempt = try await harness.start()
            let posted = try await harness.postCode("not-a-code-kakao-issued", attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let failed = try await harness.finalAnswer(loginID, headers: [("X-Login-Attempt", attempt.token)])
            #expect(try failed.object()["status"] as? String == "failed")
            let failure = try await harness.pool.query(
                "SELECT event, user_id, detail FROM auth_timeline WHERE login_id = \(try #require(UUID(uuidString: loginID)))"
            ).single()
            #expect(try failure.decode(String.self, "event") == "login_failed")
            #expect(try failure.decode(UUID?.self, "user_id") == nil, "a failed sign-in has no user")
            #expect(try failure.decode(String.self, "detail") == "failure_code=authorization_code_invalid provider_error=KOE320")

            let before = try await Self.events(harness, userID)
            let wrongKey = try await harness.send(
                .GET,
                "/hooks/kakao/unlink?app_id=1&user_id=9201",
                headers: [("Authorization", "KakaoAK wrong")]
            )
            #expect(wrongKey.status == 401)
            #expect(try await Self.events(harness, userID) == before)

            let hook = try await harness.send(
                .GET,
                "/hooks/kakao/unlink?app_id=100001&user_id=9201&referrer_type=UNLINK_FROM_APPS",
                headers: [("Authorization", "KakaoAK emulator-admin-key")]
            )
            #expect(hook.status == 200)
            let after = try await Self.events(harness, userID).dropFirst(before.count).map { "\($0.event) \($0.detail)" }
            #expect(
                after.sorted() == ["identity_unlinked by=provider", "provider_disconnected ", "session_revoked reason=provider_unlinked"]
            )
        }
    }

    static func userID(of login: [String: Any]) throws -> UUID {
        let user = try #require(login["user"] as? [String: Any])
        let id = try #require(user["id"] as? String)
        return try #require(UUID(uuidString: id))
    }

    static func events(_ harness: Harness, _ userID: UUID) async throws -> [AuthEvent] {
        try await AuditTrail(pool: harness.pool).timeline(userID: userID)
    }
}
