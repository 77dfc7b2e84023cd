import Foundation
import KakaoEmulator
import LoginAPI
import NIOHTTP1
import TestSupport
import Testing

/// The whole login over HTTP: start, consent at the emulator, post the code, long-poll.
@Suite("Login flow")
struct LoginFlowTests {
    @Test("a new user, then the same user again")
    func newUserThenReturningUser() async throws {
        try await Harness.run { harness in
            let first = try await harness.logIn(userID: 4_242_001)
            #expect(first["status"] as? String == "succeeded")
            #expect(first["is_new_user"] as? Bool == true)
            #expect(first["token_type"] as? String == "Bearer")
            #expect((first["expires_in"] as? Int ?? 0) > 0)
            #expect((first["access_token"] as? String)?.split(separator: ".").count == 3)
            #expect((first["refresh_token"] as? String)?.isEmpty == false)
            let user = try #require(first["user"] as? [String: Any])
            let userID = try #require(user["id"] as? String)

            let second = try await harness.logIn(userID: 4_242_001)
            #expect(second["is_new_user"] as? Bool == false)
            #expect((second["user"] as? [String: Any])?["id"] as? String == userID)
            #expect(try await harness.rowCounts().users == 1)
        }
    }

    @Test("the same code posted twice by its attempt gets the same login_id and reaches Kakao once")
    func doubleSubmit() async throws {
        try await Harness.run { harness in
            let attempt = try await harness.start()
            let code = try harness.code(for: attempt, userID: 4_242_002)
            let first = try await harness.postCode(code, attempt: attempt)
            let second = try await harness.postCode(code, attempt: attempt)
            #expect(first.status == 202)
            #expect(second.status == 202)
            let loginID = try #require(try first.object()["login_id"] as? String)
            #expect(try second.object()["login_id"] as? String == loginID)
            #expect(try first.object()["status"] as? String == "pending")
            let done = try await harness.pollUntilDone(loginID, headers: [("X-Login-Attempt", attempt.token)])
            #expect(done["status"] as? String == "succeeded")
            // Posted again after the exchange: still the same login, still no second presentation.
            let third = try await harness.postCode(code, attempt: attempt)
            #expect(try third.object()["login_id"] as? String == loginID)
            #expect(harness.emulator.stats.codesPresentedMoreThanOnce == 0)
            #expect(harness.emulator.stats.tokenRequestsAuthorizationCode == 1)
            #expect(try await harness.rowCounts().jobs == 1)
        }
    }

    @Test("the attempt cookie works like the header")
    func cookieBinding() async throws {
        try await Harness.run { harness in
            let attempt = try await harness.start()
            #expect(attempt.setCookie.hasPrefix("__Host-login_attempt=\(attempt.token);"))
            #expect(attempt.setCookie.contains("HttpOnly"))
            #expect(attempt.setCookie.contains("Path=/;"))
            #expect(attempt.setCookie.contains("SameSite=Lax"))
            #expect(attempt.setCookie.contains("Max-Age=600"))
            #expect(attempt.setCookie.hasSuffix("; Secure"))
            let posted = try await harness.send(
                .POST,
                "/auth/kakao/login",
                headers: [attempt.cookieHeader],
                body: #"{"code": "\#(try harness.code(for: attempt))", "state": "\#(attempt.state)"}"#
            )
            #expect(posted.status == 202)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let done = try await harness.pollUntilDone(loginID, headers: [attempt.cookieHeader])
            #expect(done["status"] as? String == "succeeded")
        }
    }

    /// The cookie's name, path and `Secure` follow the configuration, whatever `Host` the request
    /// names (a reverse proxy rewrites it): these failed when `Secure` was decided from `Host`.
    @Test(
        "the attempt cookie is __Host- and Secure by default, __Secure- with a domain, plain only on an all-loopback deployment",
        arguments: [
            (LoginAPIConfiguration.AttemptCookie(), "localhost", "__Host-login_attempt=", "Path=/;", true),
            (.init(domain: "example.com"), "127.0.0.1", "__Secure-login_attempt=", "Path=/auth;", true),
            (.init(secure: false), "login.example.com", "login_attempt=", "Path=/auth;", false),
            (.init(sameSite: "None", secure: false), "localhost", "__Host-login_attempt=", "Path=/;", true),
        ]
    )
    func cookieFollowsConfiguration(
        cookie: LoginAPIConfiguration.AttemptCookie,
        host: String,
        name: String,
        path: String,
        secure: Bool
    )
        async throws
    {
        var options = Harness.Options(worker: false)
        options.api.attemptCookie = cookie
        try await Harness.run(options) { harness in
            let attempt = try await harness.start(headers: [("Host", host)])
            #expect(attempt.setCookie.hasPrefix(name))
            #expect(attempt.setCookie.contains(path))
            #expect(attempt.setCookie.contains("; Secure") == secure)
            if let domain = cookie.domain { #expect(attempt.setCookie.contains("Domain=\(domain)")) }
            // The cookie it set is the one it reads back.
            let posted = try await harness.send(
                .POST,
                "/auth/kakao/login",
                headers: [attempt.cookieHeader],
                body: #"{"code": "\#(try harness.code(for: attempt))", "state": "\#(attempt.state)"}"#
            )
            #expect(posted.status == 202)
        }
    }

    @Test("a code re-posted from another attempt is 409, and nothing is written")
    func repostFromAnotherAttempt() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let attempt = try await harness.start()
            let code = try harness.code(for: attempt)
            #expect(try await harness.postCode(code, attempt: attempt).status == 202)
            let other = try await harness.start()
            let before = try await harness.rowCounts()
            let answer = try await harness.postCode(code, attempt: other)
            #expect(answer.status == 409)
            #expect(try answer.errorCode() == "code_already_submitted")
            #expect(try await harness.rowCounts() == before)
        }
    }

    @Test("a poll without the attempt, with another attempt, or of an unknown or malformed id is 404")
    func pollByStrangers() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let other = try await harness.start()
            for (id, headers) in [
                (loginID, [(String, String)]()),
                (loginID, [("X-Login-Attempt", other.token)]),
                (loginID, [other.cookieHeader]),
                (loginID, [("X-Poll-Token", attempt.token + "x")]),
                (UUID().uuidString, [("X-Login-Attempt", attempt.token)]),
                ("not-a-uuid", [("X-Login-Attempt", attempt.token)]),
            ] {
                let answer = try await harness.poll(id, headers: headers)
                #expect(answer.status == 404)
                #expect(try answer.errorCode() == "not_found")
            }
            #expect(try await harness.poll(loginID, headers: [("X-Login-Attempt", attempt.token)]).status == 200)
        }
    }

    @Test("tokens are delivered again within the window")
    func redeliveryWithinWindow() async throws {
        try await Harness.run { harness in
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let reader = [("X-Login-Attempt", attempt.token)]
            let first = try await harness.pollUntilDone(loginID, headers: reader)
            let again = try await harness.poll(loginID, headers: reader).object()
            #expect(again["status"] as? String == "succeeded")
            #expect(again["refresh_token"] as? String == first["refresh_token"] as? String)
            #expect(again["access_token"] is String)
            #expect(try await harness.rowCounts().sessions == 1)
        }
    }

    @Test("after the window a read says the status only")
    func statusOnlyAfterWindow() async throws {
        var options = Harness.Options()
        options.deliveryWindow = .zero
        try await Harness.run(options) { harness in
            let attempt = try await harness.start()
            let posted = try await harness.postCode(try harness.code(for: attempt), attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let reader = [("X-Login-Attempt", attempt.token)]
            let first = try await harness.pollUntilDone(loginID, headers: reader)
            #expect(first["access_token"] is String)
            let later = try await harness.poll(loginID, headers: reader)
            #expect(later.status == 200)
            #expect(try later.object().keys.sorted() == ["status"])
            #expect(try later.object()["status"] as? String == "succeeded")
            #expect(later.headers["Cache-Control"].first == "no-store")
        }
    }

    @Test("stateless flow: a bare code gets a poll token, which alone reads the login")
    func statelessFlow() async throws {
        var options = Harness.Options()
        options.api.requireState = false
        try await Harness.run(options) { harness in
            let code = try harness.emulator.mintCode(redirectURI: Harness.redirectURI, userID: 4_242_003)
            let posted = try await harness.send(.POST, "/auth/kakao/login", body: #"{"code": "\#(code)"}"#)
            #expect(posted.status == 202)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let pollToken = try #require(try posted.object()["poll_token"] as? String)
            #expect(try await harness.poll(loginID, headers: []).status == 404)
            let done = try await harness.pollUntilDone(loginID, headers: [("X-Poll-Token", pollToken)])
            #expect(done["status"] as? String == "succeeded")
            #expect(done["access_token"] is String)
        }
    }

    @Test("with state required, a bare code is refused and nothing is written")
    func stateRequired() async throws {
        try await Harness.run(.init(worker: false)) { harness in
            let code = try harness.emulator.mintCode(redirectURI: Harness.redirectURI)
            let before = try await harness.rowCounts()
            let answer = try await harness.send(.POST, "/auth/kakao/login", body: #"{"code": "\#(code)"}"#)
            #expect(answer.status == 400)
            #expect(try answer.errorCode() == "state_required")
            #expect(try await harness.rowCounts() == before)
        }
    }

    @Test("a failed login answers its failure reason")
    func failedLogin() async throws {
        try await Harness.run { harness in
            let attempt = try await harness.start()
            // A well-formed code the emulator never issued: Kakao answers KOE320.
            let posted = try await harness.postCode("never-issued-code-0123456789", attempt: attempt)
            let loginID = try #require(try posted.object()["login_id"] as? String)
            let done = try await harness.pollUntilDone(loginID, headers: [("X-Login-Attempt", attempt.token)])
            #expect(done["status"] as? String == "failed")
            let error = try #require(done["error"] as? [String: Any])
            #expect(error["code"] as? String == "authorization_code_invalid")
            #expect(error["provider_error"] as? String == "KOE320")
            #expect((error["message"] as? String)?.isEmpty == false)
        }
    }
}
