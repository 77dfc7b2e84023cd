import Accounts
import Foundation
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import TestSupport
import Testing

/// Issue 4's "Bad input": each gets a clear 4xx with a stable code, and nothing is written.
@Suite("Bad input")
struct BadInputTests {
    @Test("wrong content type, oversized body, malformed JSON, bad codes and states")
    func loginBadInput() async throws {
        var options = Harness.Options(worker: false)
        options.api.maxBodyBytes = 1024
        try await Harness.run(options) { harness in
            let attempt = try await harness.start()
            let good = try harness.code(for: attempt)
            let binding = [("X-Login-Attempt", attempt.token)]
            let state = attempt.state
            let cases: [(body: String, contentType: String?, status: Int, code: String)] = [
                (#"{"code": "\#(good)", "state": "\#(state)"}"#, "text/plain", 415, "unsupported_media_type"),
                ("code=\(good)&state=\(state)", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
                (#"{"code": "\#(good)", "state": "\#(state)"}"#, nil, 415, "unsupported_media_type"),
                (
                    #"{"code": "\#(String(repeating: "a", count: 2000))", "state": "\#(state)"}"#, "application/json", 413,
                    "payload_too_large"
                ),
                ("not json", "application/json", 400, "invalid_request"),
                ("[1, 2]", "application/json", 400, "invalid_request"),
                (#"{"code": 5, "state": "\#(state)"}"#, "application/json", 400, "invalid_request"),
                (#"{"state": "\#(state)"}"#, "application/json; charset=utf-8", 400, "invalid_code"),
                (#"{"code": "", "state": "\#(state)"}"#, "application/json", 400, "invalid_code"),
                (#"{"code": "\#(String(repeating: "a", count: 513))", "state": "\#(state)"}"#, "application/json", 400, "invalid_code"),
                (#"{"code": "abc def", "state": "\#(state)"}"#, "application/json", 400, "invalid_code"),
                (#"{"code": "abc<script>", "state": "\#(state)"}"#, "application/json", 400, "invalid_code"),
                (#"{"code": "\#(good)"}"#, "application/json", 400, "invalid_state"),
                (#"{"code": "\#(good)", "state": "wrong-state"}"#, "application/json", 400, "invalid_state"),
                (
                    #"{"code": "\#(good)", "state": "\#(state)", "redirect_uri": "https://evil.example/cb"}"#, "application/json", 400,
                    "redirect_uri_not_allowed"
                ),
            ]
            let before = try await harness.rowCounts()
            for item in cases {
                let answer = try await harness.send(
                    .POST,
                    "/auth/kakao/login",
                    headers: binding,
                    body: item.body,
                    contentType: item.contentType
                )
                #expect(answer.status == item.status, "\(item.body.prefix(60)) as \(item.contentType ?? "none")")
                #expect(try answer.errorCode() == item.code, "\(item.body.prefix(60))")
                #expect(answer.headers["Cache-Control"].first == "no-store")
                #expect(answer.headers["X-Request-Id"].first?.isEmpty == false)
            }
            let unknownAttempt = try await harness.send(
                .POST,
                "/auth/kakao/login",
                headers: [("X-Login-Attempt", String(repeating: "b", count: 43))],
                body: #"{"code": "\#(good)", "state": "\#(state)"}"#
            )
            #expect(unknownAttempt.status == 400)
            #expect(try unknownAttempt.errorCode() == "attempt_not_found")
            #expect(try await harness.rowCounts() == before)
            // The attempt still works after all that.
            #expect(try await harness.postCode(good, attempt: attempt).status == 202)
        }
    }

    @Test("start: a redirect URI not in the allow-list, and non-JSON bodies")
    func startBadInput() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let before = try await harness.rowCounts()
            let notAllowed = try await harness.send(.POST, "/auth/kakao/start", body: #"{"redirect_uri": "https://evil.example/cb"}"#)
            #expect(notAllowed.status == 400)
            #expect(try notAllowed.errorCode() == "redirect_uri_not_allowed")
            let form = try await harness.send(.POST, "/auth/kakao/start", body: "a=b", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
            #expect(try await harness.rowCounts() == before)
            // An empty body without a content type is an empty object.
            #expect(try await harness.send(.POST, "/auth/kakao/start").status == 200)
        }
    }

    @Test("expired and wrong-kid access tokens are refused")
    func expiredAndWrongKidTokens() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let (expired, _) = try await harness.accessTokens.sign(
                userID: UUID(),
                sessionID: UUID(),
                now: Date().addingTimeInterval(-3600)
            )
            var parts = expired.split(separator: ".").map(String.init)
            // Same payload and signature under a header naming another key.
            parts[0] = Data(#"{"alg":"ES256","kid":"other","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            for token in [expired, parts.joined(separator: ".")] {
                let answer = try await harness.send(.GET, "/me", headers: [("Authorization", "Bearer \(token)")])
                #expect(answer.status == 401)
                #expect(try answer.errorCode() == "invalid_access_token")
            }
        }
    }

    @Test("a reused refresh token after the grace revokes the session")
    func refreshReuse() async throws {
        var options = Harness.Options()
        options.refreshReuseGrace = .zero
        try await Harness.run(options) { harness in
            let login = try await harness.logIn()
            let refresh = try #require(login["refresh_token"] as? String)
            let rotated = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(refresh)"}"#)
            let child = try #require(try rotated.object()["refresh_token"] as? String)
            let reused = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(refresh)"}"#)
            #expect(reused.status == 401)
            #expect(try reused.errorCode() == "refresh_token_reused")
            let childAfter = try await harness.send(.POST, "/auth/token/refresh", body: #"{"refresh_token": "\#(child)"}"#)
            #expect(childAfter.status == 401)
            #expect(try childAfter.errorCode() == "session_revoked")
        }
    }

    @Test("unknown routes are 404 not_found, other methods on known paths 405 with Allow")
    func routesAndMethods() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let unknown = try await harness.send(.GET, "/nope")
            #expect(unknown.status == 404)
            #expect(try unknown.errorCode() == "not_found")
            let wrongMethod = try await harness.send(.GET, "/auth/kakao/start")
            #expect(wrongMethod.status == 405)
            #expect(try wrongMethod.errorCode() == "method_not_allowed")
            #expect(wrongMethod.headers["Allow"].first == "POST")
            let put = try await harness.send(.PUT, "/me")
            #expect(put.status == 405)
            #expect(put.headers["Allow"].first == "GET, DELETE, HEAD")
            for method in [HTTPMethod.TRACE, .OPTIONS] {
                let other = try await harness.send(method, "/auth/logout")
                #expect(other.status == 405, "\(method)")
                #expect(other.headers["Allow"].first == "POST")
            }
        }
    }
}
