import Foundation
import KakaoEmulator
import NIOHTTP1
import Postgres
import Testing

/// Issue 15, item 3: a native app that logged in with Kakao's SDK posts the Kakao token
/// (`POST /auth/kakao/token`); the worker checks it was issued to this app before it trusts
/// user/me. The emulator issues the SDK's tokens to its first app and to "another app".
@Suite("Native app login with Kakao's SDK")
struct AppTokenLoginTests {
    @Test("an SDK token signs the user in end to end; the same Kakao user by code is the same app user")
    func endToEnd() async throws {
        try await Harness.run { harness in
            let kakaoID: Int64 = 8_801
            let sdk = try harness.emulator.sdkLogin(userID: kakaoID, nonce: "app-nonce-1")
            let idToken = try #require(sdk.idToken, "the app's OIDC is on: the SDK gets an id_token")
            let body = #"{"access_token": "\#(sdk.accessToken)", "id_token": "\#(idToken)", "nonce": "app-nonce-1"}"#
            let posted = try await harness.send(.POST, "/auth/kakao/token", body: body)
            #expect(posted.status == 202)
            #expect(posted.headers["Cache-Control"].first == "no-store")
            let accepted = try posted.object()
            let loginID = try #require(accepted["login_id"] as? String)
            let pollToken = try #require(accepted["poll_token"] as? String)
            #expect(accepted["status"] as? String == "pending")

            // The login_id alone reads nothing; the poll token does.
            #expect(try await harness.poll(loginID, headers: []).status == 404)
            let done = try await harness.pollUntilDone(loginID, headers: [("X-Poll-Token", pollToken)])
            #expect(done["status"] as? String == "succeeded")
            #expect(done["is_new_user"] as? Bool == true)
            #expect(done["refresh_token"] is String)
            let me = try await harness.me(of: done)
            #expect(me.status == 200)
            let userID = try #require(try me.object()["id"] as? String)
            #expect(harness.emulator.stats.accessTokenInfoTotal == 1)
            #expect(harness.emulator.stats.tokenRequestsTotal == 0, "no code, no token request")

            // The same token posted again is the same login, with the same poll token.
            let again = try await harness.send(.POST, "/auth/kakao/token", body: body)
            #expect(again.status == 202)
            #expect(try again.object()["login_id"] as? String == loginID)
            #expect(try again.object()["poll_token"] as? String == pollToken)

            // The job: its kind, its sealed token dropped, its audit event.
            let job = try await harness.pool.query(
                """
                SELECT kind, stage, state, kakao_token_sealed IS NULL AS token_dropped, exchange_sent_at IS NULL AS never_sent,
                       (SELECT count(*) FROM login_jobs) AS jobs,
                       (SELECT count(*) FROM auth_events e WHERE e.login_id = j.login_id AND e.event = 'login_succeeded') AS events
                FROM login_jobs j WHERE login_id = \(try #require(UUID(uuidString: loginID)))
                """
            ).single()
            #expect(try job.decode(String.self, "kind") == "kakao_token")
            #expect(try job.decode(String.self, "stage") == "done")
            #expect(try job.decode(String.self, "state") == "succeeded")
            #expect(try job.decode(Bool.self, "token_dropped"))
            #expect(try job.decode(Bool.self, "never_sent"))
            #expect(try job.decode(Int.self, "jobs") == 1)
            #expect(try job.decode(Int.self, "events") == 1)

            // The same Kakao user logging in with a code (the web) is the same app user.
            let web = try await harness.logIn(userID: kakaoID)
            #expect(web["is_new_user"] as? Bool == false)
            #expect((web["user"] as? [String: Any])?["id"] as? String == userID)
        }
    }

    @Test("a token issued to another app fails token_not_for_this_app before user/me is asked; no user")
    func tokenSubstitution() async throws {
        try await Harness.run { harness in
            // The same Kakao user logged in to somebody else's app, whose backend replays the token here.
            let other = try harness.emulator.sdkLogin(appKey: "emulator-other-native-app-key", userID: 8_802, nonce: "n-other")
            let failed = try await postAndWait(
                harness,
                #"{"access_token": "\#(other.accessToken)", "id_token": "\#(try #require(other.idToken))", "nonce": "n-other"}"#
            )
            #expect(failed.code == "token_not_for_this_app")
            #expect(failed.providerError == "app_id")
            #expect(harness.emulator.stats.accessTokenInfoTotal == 1)
            #expect(harness.emulator.stats.userMeTotal == 0, "user/me is never trusted for another app's token")
            #expect(try await harness.rowCounts().users == 0)
            try await expectTokensDropped(harness)
        }
    }

    @Test("an id_token for another app's key, or with another nonce, fails id_token_invalid; no user")
    func idTokenChecks() async throws {
        try await Harness.run { harness in
            let kakaoID: Int64 = 8_803
            let ours = try harness.emulator.sdkLogin(userID: kakaoID, nonce: "n-ours")
            let theirs = try harness.emulator.sdkLogin(appKey: "emulator-other-native-app-key", userID: kakaoID, nonce: "n-ours")
            let wrongAudience = try await postAndWait(
                harness,
                #"{"access_token": "\#(ours.accessToken)", "id_token": "\#(try #require(theirs.idToken))", "nonce": "n-ours"}"#
            )
            #expect(wrongAudience.code == "id_token_invalid")
            #expect(wrongAudience.providerError == "id_token_audience")

            let fresh = try harness.emulator.sdkLogin(userID: kakaoID, nonce: "n-app")
            let wrongNonce = try await postAndWait(
                harness,
                #"{"access_token": "\#(fresh.accessToken)", "id_token": "\#(try #require(fresh.idToken))", "nonce": "n-replayed"}"#
            )
            #expect(wrongNonce.code == "id_token_invalid")
            #expect(wrongNonce.providerError == "id_token_nonce")

            let third = try harness.emulator.sdkLogin(userID: kakaoID, nonce: "n-app")
            let missing = try await postAndWait(harness, #"{"access_token": "\#(third.accessToken)", "nonce": "n-app"}"#)
            #expect(missing.code == "id_token_invalid", "a nonce without its id_token is a downgrade")
            #expect(try await harness.rowCounts().users == 0)
            try await expectTokensDropped(harness)
        }
    }

    @Test("a revoked, expired or unknown Kakao token fails kakao_token_invalid (-401)")
    func invalidKakaoTokens() async throws {
        try await Harness.run { harness in
            let revoked = try harness.emulator.sdkLogin(userID: 8_804)
            let logout = try await harness.send(
                .POST,
                "/v1/user/logout",
                on: harness.emulatorURL,
                headers: [("Authorization", "Bearer \(revoked.accessToken)")],
                body: "",
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(logout.status == 200)
            let unknown = String(repeating: "A", count: 54)
            let expired = try harness.emulator.sdkLogin(userID: 8_805, scope: "profile_nickname")
            harness.emulator.advanceClock(bySeconds: 22_000)
            for token in [revoked.accessToken, unknown, expired.accessToken] {
                let failed = try await postAndWait(harness, #"{"access_token": "\#(token)"}"#)
                #expect(failed.code == "kakao_token_invalid")
                #expect(failed.providerError == "-401")
            }
            #expect(harness.emulator.stats.userMeTotal == 0)
            #expect(try await harness.rowCounts().users == 0)
            try await expectTokensDropped(harness)
        }
    }

    @Test("empty, oversized or garbage tokens are 400 invalid_provider_token: nothing written, Kakao never asked")
    func badInput() async throws {
        try await Harness.run { harness in
            let token = try harness.emulator.sdkLogin(userID: 8_806, nonce: "n").accessToken
            let bodies = [
                #"{}"#,
                #"{"access_token": ""}"#,
                #"{"access_token": "short"}"#,
                #"{"access_token": "\#(String(repeating: "a", count: 1025))"}"#,
                #"{"access_token": "not a token, just words"}"#,
                #"{"access_token": "\#(token)\u0000"}"#,
                #"{"access_token": "토큰토큰토큰토큰토큰토큰토큰토큰"}"#,
                #"{"access_token": "\#(token)", "id_token": "abc"}"#,
                #"{"access_token": "\#(token)", "id_token": "a.b.c.d"}"#,
                #"{"access_token": "\#(token)", "id_token": "a..c"}"#,
                #"{"access_token": "\#(token)", "nonce": ""}"#,
                #"{"access_token": "\#(token)", "nonce": "with space"}"#,
                #"{"access_token": "\#(token)", "nonce": "\#(String(repeating: "n", count: 257))"}"#,
            ]
            for body in bodies {
                let answer = try await harness.send(.POST, "/auth/kakao/token", body: body)
                #expect(answer.status == 400, "\(body.prefix(60))")
                #expect(try answer.errorCode() == "invalid_provider_token", "\(body.prefix(60))")
            }
            for (body, status) in [
                (#"{"access_token": 42}"#, 400), (#"[1, 2]"#, 400), ("not json", 400),
            ] {
                #expect(try await harness.send(.POST, "/auth/kakao/token", body: body).status == status)
            }
            let wrongType = try await harness.send(.POST, "/auth/kakao/token", body: "access_token=\(token)", contentType: "text/plain")
            #expect(wrongType.status == 415)
            let get = try await harness.send(.GET, "/auth/kakao/token")
            #expect(get.status == 405)
            #expect(
                try await harness.rowCounts()
                    == RowCounts(
                        attempts: 0,
                        jobs: 0,
                        users: 0,
                        sessions: 0,
                        refreshTokens: 0,
                        usedAttempts: 0,
                        revokedSessions: 0
                    )
            )
            #expect(harness.emulator.stats.accessTokenInfoTotal == 0)
            #expect(harness.emulator.stats.userMeTotal == 0)
        }
    }

    @Test("without KAKAO_APP_ID the route is 404 and nothing is written")
    func offWithoutAppID() async throws {
        var options = Harness.Options(worker: false)
        options.appTokens = false
        try await Harness.run(options) { harness in
            let token = try harness.emulator.sdkLogin(userID: 8_807).accessToken
            let answer = try await harness.send(.POST, "/auth/kakao/token", body: #"{"access_token": "\#(token)"}"#)
            #expect(answer.status == 404)
            #expect(try await harness.rowCounts().jobs == 0)
        }
    }

    /// A failed login's `error` as the poll answers it.
    struct Failure {
        let code: String?
        let providerError: String?
    }

    /// Posts `body`, expects 202, long-polls with its poll token until done; the failure it ended with.
    private func postAndWait(_ harness: Harness, _ body: String) async throws -> Failure {
        let posted = try await harness.send(.POST, "/auth/kakao/token", body: body)
        try #require(posted.status == 202, "token answered \(posted.status): \(posted.body)")
        let loginID = try #require(try posted.object()["login_id"] as? String)
        let pollToken = try #require(try posted.object()["poll_token"] as? String)
        let done = try await harness.pollUntilDone(loginID, headers: [("X-Poll-Token", pollToken)])
        #expect(done["status"] as? String == "failed")
        let error = done["error"] as? [String: Any]
        return Failure(code: error?["code"] as? String, providerError: error?["provider_error"] as? String)
    }

    /// No job keeps a sealed Kakao token once it ended, and every one of them ended.
    private func expectTokensDropped(_ harness: Harness) async throws {
        let row = try await harness.pool.query(
            """
            SELECT count(*) FILTER (WHERE kakao_token_sealed IS NOT NULL) AS sealed,
                   count(*) FILTER (WHERE finished_at IS NULL) AS unfinished,
                   count(*) FILTER (WHERE kind <> 'kakao_token') AS other_kinds
            FROM login_jobs
            """
        ).single()
        #expect(try row.decode(Int.self, "sealed") == 0)
        #expect(try row.decode(Int.self, "unfinished") == 0)
        #expect(try row.decode(Int.self, "other_kinds") == 0)
    }
}
