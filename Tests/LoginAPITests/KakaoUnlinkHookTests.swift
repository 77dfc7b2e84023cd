import EmulatorSupport
import Foundation
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// Kakao's unlink callback over HTTP: the admin key checked, the identity unlinked and its
/// user's sessions ended in one go, idempotent, and the refusals that change nothing.
@Suite("Kakao unlink callback")
struct KakaoUnlinkHookTests {
    static let adminKey = "emulator-admin-key"

    static var options: Harness.Options {
        var options = Harness.Options()
        options.api.kakaoUnlinkHook = .init(adminKey: adminKey, provider: "kakao")
        return options
    }

    @Test("Kakao's call unlinks the identity and ends every session of its user at once; a second call is a no-op")
    func unlinks() async throws {
        try await Harness.run(Self.options) { harness in
            let first = try await harness.logIn(userID: 8101)
            let second = try await harness.logIn(userID: 8101)
            let other = try await harness.logIn(userID: 8102)
            let key = [("Authorization", "KakaoAK \(Self.adminKey)")]

            let answer = try await harness.send(
                .GET,
                "/hooks/kakao/unlink?app_id=100001&user_id=8101&referrer_type=UNLINK_FROM_APPS",
                headers: key
            )
            #expect(answer.status == 200, "\(answer.body)")
            #expect(try answer.object()["status"] as? String == "ok")
            for login in [first, second] {
                let me = try await harness.me(of: login)
                #expect(me.status == 401)
                #expect(try me.errorCode() == "session_revoked")
            }
            let otherMe = try await harness.me(of: other)
            #expect(otherMe.status == 200)
            let row = try await harness.pool.query(
                """
                SELECT (SELECT count(*) FROM user_identities WHERE subject = '8101' AND unlinked_at IS NOT NULL) AS unlinked,
                       (SELECT count(*) FROM sessions WHERE revoked_reason = 'provider_unlinked') AS ended
                """
            ).single()
            #expect(try row.decode(Int.self, "unlinked") == 1)
            #expect(try row.decode(Int.self, "ended") == 2)

            // Kakao may call twice, and by POST: the same outcome, nothing more.
            let again = try await harness.send(
                .POST,
                "/hooks/kakao/unlink",
                headers: key,
                body: "app_id=100001&user_id=8101&referrer_type=UNLINK_FROM_APPS",
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(again.status == 200, "\(again.body)")
            let ended = try await harness.pool.query("SELECT count(*) AS n FROM sessions WHERE revoked_at IS NOT NULL").single()
            #expect(try ended.decode(Int.self, "n") == 2)
            // The unlinked Kakao account signs in again as a new user.
            let back = try await harness.logIn(userID: 8101)
            #expect(back["is_new_user"] as? Bool == true)
        }
    }

    @Test("the emulator, as Kakao, calls the callback when the user disconnects the app: the API ends the sessions")
    func emulatorCallsTheCallback() async throws {
        try await Harness.run(Self.options) { harness in
            let login = try await harness.logIn(userID: 8301)
            let bearer = [("Authorization", "Bearer \(try #require(login["access_token"] as? String))")]
            let answer = try await harness.send(
                .POST,
                "/_emulator/users/8301/unlink",
                on: harness.emulator.baseURL,
                body: #"{"callback_url": "\#(harness.baseURL)/hooks/kakao/unlink"}"#
            )
            #expect(answer.status == 200, "\(answer.body)")
            #expect(try answer.object()["callback_status"] as? Int == 200)
            let me = try await harness.send(.GET, "/me", headers: bearer)
            #expect(me.status == 401)
            #expect(try me.errorCode() == "session_revoked")
            // Kakao forgot the link too: a second disconnect is refused there, and nothing is called.
            let again = try await harness.send(
                .POST,
                "/_emulator/users/8301/unlink",
                on: harness.emulator.baseURL,
                body: #"{"callback_url": "\#(harness.baseURL)/hooks/kakao/unlink"}"#
            )
            #expect(again.status == 400)
        }
    }

    @Test("a wrong or missing key is 401 and changes nothing; an unknown user is 200; a bad user_id is 400")
    func refusals() async throws {
        try await Harness.run(Self.options) { harness in
            let login = try await harness.logIn(userID: 8201)
            let bearer = [("Authorization", "Bearer \(try #require(login["access_token"] as? String))")]
            for header in [[], [("Authorization", "KakaoAK not-the-key")], [("Authorization", "Bearer \(Self.adminKey)")]] {
                let refused = try await harness.send(.GET, "/hooks/kakao/unlink?user_id=8201", headers: header)
                #expect(refused.status == 401)
                #expect(try refused.errorCode() == "invalid_callback_key")
            }
            let key = [("Authorization", "KakaoAK \(Self.adminKey)")]
            for query in ["", "?user_id=", "?user_id=abc", "?user_id=-5", "?app_id=100001"] {
                let bad = try await harness.send(.GET, "/hooks/kakao/unlink\(query)", headers: key)
                #expect(bad.status == 400, "\(query): \(bad.body)")
            }
            let huge = try await harness.send(
                .POST,
                "/hooks/kakao/unlink",
                headers: key,
                body: "user_id=8201&pad=" + String(repeating: "x", count: 8192),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(huge.status == 413, "\(huge.body)")
            let unknown = try await harness.send(.GET, "/hooks/kakao/unlink?user_id=99999999", headers: key)
            #expect(unknown.status == 200)
            #expect(try await harness.send(.GET, "/me", headers: bearer).status == 200)
            let linked = try await harness.pool.query("SELECT count(*) AS n FROM user_identities WHERE unlinked_at IS NULL").single()
            #expect(try linked.decode(Int.self, "n") == 1)
        }
    }

    @Test("off unless configured: 404")
    func offByDefault() async throws {
        try await Harness.run(Harness.Options(worker: false)) { harness in
            let answer = try await harness.send(
                .GET,
                "/hooks/kakao/unlink?user_id=1",
                headers: [("Authorization", "KakaoAK \(Self.adminKey)")]
            )
            #expect(answer.status == 404)
        }
    }

    @Test("the callback overtakes a login in flight: the login fails with provider_unlinked and no session lives")
    func overtakesLoginInFlight() async throws {
        try await Harness.run(Self.options) { harness in
            let earlier = try await harness.logIn(userID: 8401)
            try harness.emulator.setFaults(KakaoEmulatorFaults(latencyMs: 1500))
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt, userID: 8401), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            try await waitUntil("the exchange is in flight") { harness.emulator.stats.faultsLatencyTotal >= 1 }

            let hook = try await Self.callback(harness, userID: 8401)
            #expect(hook.status == 200)
            try harness.emulator.setFaults(.none)
            let final = try await harness.finalAnswer(loginID, headers: [("X-Login-Attempt", attempt.token)])
            #expect(try final.object()["status"] as? String == "failed", "\(final.body)")
            #expect(try final.errorCode() == "provider_unlinked")
            #expect(try await harness.me(of: earlier).status == 401)
            #expect(try await Self.liveSessions(harness, kakaoUserID: 8401) == 0)

            // A login begun after the unlink is a new connection: a new user, signed in.
            let again = try await harness.logIn(userID: 8401)
            #expect(again["is_new_user"] as? Bool == true)
            #expect(try await harness.me(of: again).status == 200)
        }
    }

    @Test("the callback lands after the login completed but before its first read: no session is minted")
    func overtakesDelivery() async throws {
        try await Harness.run(Self.options) { harness in
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt, userID: 8501), attempt: attempt)
            let loginText = try #require(try posted.object()["login_id"] as? String)
            let loginID = try #require(UUID(uuidString: loginText))
            try await waitUntil("the job succeeded") {
                try await harness.pool.query("SELECT state FROM login_jobs WHERE login_id = \(loginID)").single()
                    .decode(String.self, "state") == "succeeded"
            }
            #expect(try await Self.callback(harness, userID: 8501).status == 200)
            let answer = try await harness.poll(loginID.uuidString.lowercased(), headers: [("X-Login-Attempt", attempt.token)])
            #expect(try answer.object()["status"] as? String == "failed", "\(answer.body)")
            #expect(try answer.errorCode() == "provider_unlinked")
            #expect(try await harness.rowCounts().sessions == 0)
        }
    }

    static func callback(_ harness: Harness, userID: Int64) async throws -> Answer {
        try await harness.send(
            .GET,
            "/hooks/kakao/unlink?app_id=100001&user_id=\(userID)&referrer_type=UNLINK_FROM_APPS",
            headers: [("Authorization", "KakaoAK \(adminKey)")]
        )
    }

    static func liveSessions(_ harness: Harness, kakaoUserID: Int64) async throws -> Int {
        try await harness.pool.query(
            """
            SELECT count(*) AS n FROM sessions s JOIN user_identities i ON i.user_id = s.user_id
            WHERE i.subject = \(String(kakaoUserID)) AND s.revoked_at IS NULL
            """
        ).single().decode(Int.self, "n")
    }
}
