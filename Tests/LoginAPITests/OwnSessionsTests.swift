import Foundation
import LoginAPI
import NIOHTTP1
import Postgres
import TestSupport
import Testing

/// A user's own sessions over HTTP: `GET /me/sessions`, `DELETE /me/sessions/{session_id}` and
/// `POST /auth/logout-all`; what a revoked session's tokens get afterwards, and the refusals
/// that change nothing.
@Suite("Own sessions")
struct OwnSessionsTests {
    static let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    static let kakaoTalk =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 KAKAOTALK 10.8.5"

    @Test("the active sessions with their browser family and network, the current one marked, never a token")
    func listsSessions() async throws {
        try await Harness.run { harness in
            let first = try await harness.logIn(userID: 7301, headers: [("User-Agent", Self.chrome)])
            let second = try await harness.logIn(userID: 7301, headers: [("User-Agent", Self.kakaoTalk)])
            let access = try #require(second["access_token"] as? String)

            let answer = try await harness.send(.GET, "/me/sessions", headers: [("Authorization", "Bearer \(access)")])
            #expect(answer.status == 200, "\(answer.body)")
            #expect(answer.headers["Cache-Control"].first == "no-store")
            let sessions = try #require(try answer.object()["sessions"] as? [[String: Any]])
            #expect(sessions.count == 2)
            let current = try #require(sessions.first { $0["current"] as? Bool == true })
            let other = try #require(sessions.first { $0["current"] as? Bool == false })
            #expect(current["user_agent"] as? String == "KakaoTalk")
            #expect(other["user_agent"] as? String == "Chrome")
            #expect(current["client_network"] as? String == "127.0.0.0/24")
            #expect(current["provider"] as? String == "kakao")
            #expect(current["last_used_at"] is String && current["expires_at"] is String)
            for token in [first["access_token"], first["refresh_token"], second["access_token"], second["refresh_token"]] {
                #expect(!answer.body.contains(try #require(token as? String)))
            }
        }
    }

    @Test("ending one session: its access token refused at once, its refresh token dead, the others untouched")
    func revokesOneSession() async throws {
        try await Harness.run { harness in
            let first = try await harness.logIn(userID: 7401)
            let second = try await harness.logIn(userID: 7401)
            let stranger = try await harness.logIn(userID: 7402)
            let bearer = [("Authorization", "Bearer \(try #require(second["access_token"] as? String))")]
            let firstBearer = [("Authorization", "Bearer \(try #require(first["access_token"] as? String))")]
            let strangerBearer = [("Authorization", "Bearer \(try #require(stranger["access_token"] as? String))")]
            let firstID = try await Self.currentSessionID(harness, firstBearer)
            let strangerID = try await Self.currentSessionID(harness, strangerBearer)

            // Another user's session, an id that is none, a malformed id: 404, nothing changed.
            for id in [strangerID, UUID().uuidString.lowercased(), "not-a-session"] {
                let refused = try await harness.send(.DELETE, "/me/sessions/\(id)", headers: bearer)
                #expect(refused.status == 404, "\(id): \(refused.body)")
                #expect(try refused.errorCode() == "not_found")
            }
            #expect(try await harness.send(.GET, "/me", headers: strangerBearer).status == 200)
            #expect(try await harness.send(.GET, "/me", headers: firstBearer).status == 200)

            let ended = try await harness.send(.DELETE, "/me/sessions/\(firstID)", headers: bearer)
            #expect(ended.status == 204, "\(ended.body)")
            let me = try await harness.send(.GET, "/me", headers: firstBearer)
            #expect(me.status == 401)
            #expect(try me.errorCode() == "session_revoked")
            let refreshToken = try #require(first["refresh_token"] as? String)
            let refreshed = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(refreshToken)"}"#)
            #expect(refreshed.status == 401, "\(refreshed.body)")
            #expect(try await harness.send(.GET, "/me", headers: bearer).status == 200)
            // Ending it again: it is no longer an active session.
            #expect(try await harness.send(.DELETE, "/me/sessions/\(firstID)", headers: bearer).status == 404)
            let revokedReasons = try await harness.pool.query(
                "SELECT count(*) AS n FROM sessions WHERE revoked_at IS NOT NULL AND revoked_reason = 'logout'"
            ).single().decode(Int.self, "n")
            #expect(revokedReasons == 1)
        }
    }

    @Test("logout-all ends every session of the user, this one included, and no one else's")
    func logsOutEverywhere() async throws {
        try await Harness.run { harness in
            let first = try await harness.logIn(userID: 7501)
            let second = try await harness.logIn(userID: 7501)
            let stranger = try await harness.logIn(userID: 7502)
            let bearer = [("Authorization", "Bearer \(try #require(second["access_token"] as? String))")]

            let missing = try await harness.send(.POST, "/auth/logout-all")
            #expect(missing.status == 401)
            let done = try await harness.send(.POST, "/auth/logout-all", headers: bearer)
            #expect(done.status == 204, "\(done.body)")
            for login in [first, second] {
                let me = try await harness.me(of: login)
                #expect(me.status == 401)
                #expect(try me.errorCode() == "session_revoked")
            }
            let strangerMe = try await harness.me(of: stranger)
            #expect(strangerMe.status == 200)
            // Its token is of a revoked session now: refused, as any other.
            #expect(try await harness.send(.POST, "/auth/logout-all", headers: bearer).status == 401)
        }
    }

    /// The id of the session `bearer` belongs to, as `GET /me/sessions` marks it.
    static func currentSessionID(_ harness: Harness, _ bearer: [(String, String)]) async throws -> String {
        let answer = try await harness.send(.GET, "/me/sessions", headers: bearer)
        let sessions = try #require(try answer.object()["sessions"] as? [[String: Any]])
        return try #require(sessions.first { $0["current"] as? Bool == true }?["id"] as? String)
    }
}
