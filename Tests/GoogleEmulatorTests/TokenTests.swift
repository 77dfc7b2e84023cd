import Crypto
import EmulatorTestSupport
import Foundation
import GoogleEmulator
import NIOCore
import NIOHTTP1
import Testing

@Suite("Google emulator: the token endpoint")
struct TokenTests {
    static func expectOAuthError(_ answer: GoogleHTTP.Answer, status: Int, error: String, description: String?) {
        #expect(answer.status == status)
        #expect(answer.headers.first(name: "Content-Type") == "application/json; charset=utf-8")
        #expect(answer.json["error"] as? String == error, "\(answer.body)")
        #expect(answer.json["error_description"] as? String == description, "\(answer.body)")
        #expect(answer.body.hasPrefix("{\n  \"error\": "), "pretty-printed like Google's")
    }

    static func codeForm(_ code: String, redirectURI: String = Google.encodedRedirectURI) -> String {
        "grant_type=authorization_code&redirect_uri=\(redirectURI)&code=\(Google.encode(code))"
    }

    @Test func postAndBasicClientAuthentication() async throws {
        try await GoogleHTTP.run { http throws in
            let post = try await http.login(#"{"user_id": "\#(Google.alice)"}"#)
            #expect(post.status == 200)
            #expect(post.headers.first(name: "Cache-Control") == "no-cache, no-store, max-age=0, must-revalidate")
            #expect(post.headers.first(name: "Pragma") == "no-cache")
            #expect(post.body.hasPrefix("{\n  \"access_token\": \"ya29."))
            #expect(post.json["expires_in"] as? Int == 3599)
            #expect(post.json["token_type"] as? String == "Bearer")
            #expect(
                post.json["scope"] as? String
                    == "https://www.googleapis.com/auth/userinfo.profile openid https://www.googleapis.com/auth/userinfo.email"
            )
            #expect(post.json["id_token"] is String)
            #expect(post.json["refresh_token"] == nil)

            let code = try http.emulator.mintCode(userID: Google.bob)
            let basic = try await http.postForm("/token", Self.codeForm(code), headers: [Google.basic])
            #expect(basic.status == 200)
            for path in ["/o/oauth2/token", "/oauth2/v4/token"] {
                #expect(try await http.postForm(path, Self.codeForm(try http.emulator.mintCode()), headers: [Google.basic]).status == 200)
            }
            let encodedSecret = "Basic " + Data("\(Google.clientID):emulator%2Dgoogle%2Dclient%2Dsecret".utf8).base64EncodedString()
            #expect(
                try await http.postForm("/token", Self.codeForm(try http.emulator.mintCode()), headers: [("Authorization", encodedSecret)])
                    .status
                    == 200,
                "id and secret are form-encoded inside Basic"
            )
            let stats = try await http.get("/_emulator/stats").json
            #expect(stats["token_requests_total"] as? Int == 5)
            #expect(stats["token_requests_authorization_code"] as? Int == 5)
        }
    }

    @Test func clientErrors() async throws {
        try await GoogleHTTP.run { http throws in
            let form = Self.codeForm(try http.emulator.mintCode())
            Self.expectOAuthError(
                try await http.postForm("/token", form + "&client_id=\(Google.clientID)&client_secret=wrong"),
                status: 401,
                error: "invalid_client",
                description: "Unauthorized"
            )
            let wrongBasic = ("Authorization", "Basic " + Data("\(Google.clientID):wrong".utf8).base64EncodedString())
            Self.expectOAuthError(
                try await http.postForm("/token", form, headers: [wrongBasic]),
                status: 401,
                error: "invalid_client",
                description: "Unauthorized"
            )
            Self.expectOAuthError(
                try await http.postForm("/token", form + "&client_id=nobody.apps.googleusercontent.com&client_secret=x"),
                status: 401,
                error: "invalid_client",
                description: "The OAuth client was not found."
            )
            Self.expectOAuthError(
                try await http.postForm("/token", form),
                status: 400,
                error: "invalid_request",
                description: "Could not determine client ID from request."
            )
            Self.expectOAuthError(
                try await http.postForm("/token", form + "&client_id=\(Google.clientID)"),
                status: 400,
                error: "invalid_request",
                description: "client_secret is missing."
            )
            Self.expectOAuthError(
                try await http.postForm("/token", form, headers: [("Authorization", "Basic !!!")]),
                status: 400,
                error: "invalid_request",
                description: "Could not determine client ID from request."
            )
            #expect(try await http.postForm("/token", form, headers: [Google.basic]).status == 200, "client errors leave the code good")
        }
    }

    @Test func codeErrors() async throws {
        try await GoogleHTTP.run { http throws in
            let code = try http.emulator.mintCode(userID: Google.alice)
            #expect(try await http.exchange(code).status == 200)
            Self.expectOAuthError(
                try await http.exchange(code),
                status: 400,
                error: "invalid_grant",
                description: "Code was already redeemed."
            )
            Self.expectOAuthError(
                try await http.exchange(code),
                status: 400,
                error: "invalid_grant",
                description: "Code was already redeemed."
            )
            var stats = try await http.get("/_emulator/stats").json
            #expect(stats["codes_presented_more_than_once"] as? Int == 1)
            #expect(stats["code_presentations_max"] as? Int == 3)

            Self.expectOAuthError(
                try await http.exchange(Google.encode(code)),
                status: 400,
                error: "invalid_grant",
                description: "Malformed auth code."
            )
            Self.expectOAuthError(try await http.exchange("4/0Aunknown"), status: 400, error: "invalid_grant", description: "Bad Request")
            Self.expectOAuthError(
                try await http.postForm(
                    "/token",
                    "grant_type=authorization_code&redirect_uri=\(Google.encodedRedirectURI)",
                    headers: [Google.basic]
                ),
                status: 400,
                error: "invalid_request",
                description: "Missing required parameter: code"
            )
            Self.expectOAuthError(
                try await http.postForm("/token", "grant_type=authorization_code&code=\(Google.encode(code))", headers: [Google.basic]),
                status: 400,
                error: "invalid_request",
                description: "Missing parameter: redirect_uri"
            )

            let other = try http.emulator.mintCode(userID: Google.alice)
            Self.expectOAuthError(
                try await http.postForm(
                    "/token",
                    Self.codeForm(other, redirectURI: Google.encode("http://localhost:8080/auth/google/callback")),
                    headers: [Google.basic]
                ),
                status: 400,
                error: "redirect_uri_mismatch",
                description: "Bad Request"
            )
            #expect(try await http.exchange(other).status == 200, "a failed exchange does not burn the code by default (UNCERTAIN)")

            let expiring = try http.emulator.mintCode(userID: Google.alice)
            #expect(try await http.postJSON("/_emulator/clock", #"{"advance_seconds": 601}"#).status == 200)
            Self.expectOAuthError(try await http.exchange(expiring), status: 400, error: "invalid_grant", description: "Bad Request")
            stats = try await http.get("/_emulator/stats").json
            #expect(stats["codes_rejected_total"] as? Int == 6)
        }
    }

    @Test func pkce() async throws {
        let verifier = String(repeating: "v", count: 43) + "-._~0123456789"
        let s256 = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try await GoogleHTTP.run { http throws in
            let withS256 = try http.emulator.mintCode(codeChallenge: s256, codeChallengeMethod: "S256")
            Self.expectOAuthError(
                try await http.exchange(withS256),
                status: 400,
                error: "invalid_grant",
                description: "Missing code verifier."
            )
            Self.expectOAuthError(
                try await http.exchange(withS256, extra: "&code_verifier=" + String(repeating: "w", count: 43)),
                status: 400,
                error: "invalid_grant",
                description: "Invalid code verifier."
            )
            #expect(try await http.exchange(withS256, extra: "&code_verifier=\(verifier)").status == 200)

            let plain = try http.emulator.mintCode(codeChallenge: verifier)
            Self.expectOAuthError(
                try await http.exchange(plain, extra: "&code_verifier=\(s256)"),
                status: 400,
                error: "invalid_grant",
                description: "Invalid code verifier."
            )
            #expect(
                try await http.exchange(plain, extra: "&code_verifier=\(verifier)").status == 200,
                "no method means plain, as at Google"
            )

            let explicitPlain = try http.emulator.mintCode(codeChallenge: verifier, codeChallengeMethod: "plain")
            #expect(try await http.exchange(explicitPlain, extra: "&code_verifier=\(verifier)").status == 200)

            let none = try http.emulator.mintCode()
            Self.expectOAuthError(
                try await http.exchange(none, extra: "&code_verifier=\(verifier)"),
                status: 400,
                error: "invalid_grant",
                description: "code_verifier or verifier is not needed."
            )
        }
    }

    @Test func refreshTokensOnlyAfterAnOfflineConsent() async throws {
        try await GoogleHTTP.run { http throws in
            let first = try await http.login(#"{"user_id": "\#(Google.carol)", "access_type": "offline"}"#)
            let refreshToken = try #require(first.json["refresh_token"] as? String)
            #expect(refreshToken.hasPrefix("1//0"))
            let again = try await http.login(#"{"user_id": "\#(Google.carol)", "access_type": "offline"}"#)
            #expect(again.json["refresh_token"] == nil, "consent remembered: no new refresh token")
            let forced = try await http.login(#"{"user_id": "\#(Google.carol)", "access_type": "offline", "prompt": "consent"}"#)
            #expect(forced.json["refresh_token"] is String, "prompt=consent shows the consent screen again")
            let online = try await http.login(#"{"user_id": "\#(Google.alice)"}"#)
            #expect(online.json["refresh_token"] == nil)
            #expect(try await http.get("/_emulator/stats").json["refresh_tokens_issued_total"] as? Int == 2)

            let refreshed = try await http.postForm(
                "/token",
                "grant_type=refresh_token&refresh_token=\(Google.encode(refreshToken))",
                headers: [Google.basic]
            )
            #expect(refreshed.status == 200)
            #expect(refreshed.json["refresh_token"] == nil, "refresh tokens are not rotated")
            #expect(refreshed.json["id_token"] is String)
            #expect(refreshed.json["access_token"] as? String != first.json["access_token"] as? String)
            #expect(try await http.get("/_emulator/stats").json["token_requests_refresh_token"] as? Int == 1)

            Self.expectOAuthError(
                try await http.postForm("/token", "grant_type=refresh_token&refresh_token=1//0unknown", headers: [Google.basic]),
                status: 400,
                error: "invalid_grant",
                description: "Token has been expired or revoked."
            )
            Self.expectOAuthError(
                try await http.postForm("/token", "grant_type=refresh_token", headers: [Google.basic]),
                status: 400,
                error: "invalid_request",
                description: "Missing required parameter: refresh_token"
            )
        }
    }

    @Test func refreshTokenOfAnotherClientAndTheLimitPerClient() async throws {
        let second = GoogleEmulatorConfiguration.Client(
            clientID: "second.apps.googleusercontent.com",
            clientSecrets: ["old-secret", "new-secret"],
            redirectURIs: ["http://127.0.0.1:3000/cb"]
        )
        let configuration = GoogleEmulatorConfiguration(
            clients: [GoogleEmulatorConfiguration.Client(), second],
            refreshTokensPerClientMax: 2
        )
        try await GoogleHTTP.run(configuration) { http throws in
            var tokens: [String] = []
            for _ in 0..<3 {
                let answer = try await http.login(#"{"user_id": "\#(Google.alice)", "access_type": "offline", "prompt": "consent"}"#)
                tokens.append(try #require(answer.json["refresh_token"] as? String))
            }
            func refresh(_ token: String, secret: String? = nil) async throws -> GoogleHTTP.Answer {
                let client =
                    secret.map { "&client_id=\(second.clientID)&client_secret=\($0)" }
                    ?? "&client_id=\(Google.clientID)&client_secret=\(Google.clientSecret)"
                return try await http.postForm("/token", "grant_type=refresh_token&refresh_token=\(Google.encode(token))\(client)")
            }
            #expect(try await refresh(tokens[0]).json["error"] as? String == "invalid_grant", "the oldest of three died (limit 2)")
            #expect(try await refresh(tokens[1]).status == 200)
            #expect(try await refresh(tokens[2]).status == 200)
            Self.expectOAuthError(
                try await refresh(tokens[2], secret: "old-secret"),
                status: 401,
                error: "unauthorized_client",
                description: "Unauthorized"
            )
            #expect(
                try await refresh(tokens[2], secret: "new-secret").json["error"] as? String == "unauthorized_client",
                "either secret authenticates the second client"
            )
        }
    }

    @Test func reuseRevokesWhenSwitchedOnAndFailuresBurnWhenSwitchedOn() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.uncertain.revokeTokensOnCodeReuse = true
        configuration.uncertain.failedExchangeBurnsCode = true
        try await GoogleHTTP.run(configuration) { http throws in
            let code = try http.emulator.mintCode(userID: Google.alice, accessType: "offline")
            let first = try await http.exchange(code)
            let accessToken = try #require(first.json["access_token"] as? String)
            #expect(try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(accessToken)")]).status == 200)
            #expect(try await http.exchange(code).json["error_description"] as? String == "Code was already redeemed.")
            #expect(try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(accessToken)")]).status == 401)

            let burnt = try http.emulator.mintCode(userID: Google.bob)
            #expect(try await http.exchange(burnt, extra: "&code_verifier=" + String(repeating: "a", count: 43)).status == 400)
            #expect(try await http.exchange(burnt).json["error_description"] as? String == "Code was already redeemed.")
        }
    }
}
