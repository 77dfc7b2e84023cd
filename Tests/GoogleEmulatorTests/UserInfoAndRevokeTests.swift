import EmulatorTestSupport
import Foundation
import GoogleEmulator
import NIOCore
import NIOHTTP1
import Testing

@Suite("Google emulator: userinfo, tokeninfo and revoke")
struct UserInfoAndRevokeTests {
    static func accessToken(_ http: GoogleHTTP, _ json: String) async throws -> String {
        try #require(try await http.login(json).json["access_token"] as? String)
    }

    @Test func userInfoWithAGoodToken() async throws {
        try await GoogleHTTP.run { http throws in
            let token = try await Self.accessToken(http, #"{"user_id": "\#(Google.carol)"}"#)
            for path in ["/v1/userinfo", "/oauth2/v3/userinfo"] {
                let answer = try await http.get(path, headers: [("Authorization", "Bearer \(token)")])
                #expect(answer.status == 200)
                #expect(answer.headers.first(name: "Content-Type") == "application/json; charset=utf-8")
                let json = answer.json
                #expect(json["sub"] as? String == Google.carol)
                #expect(json["email"] as? String == "carol@workspace.emulator.test")
                #expect(json["email_verified"] as? Bool == true)
                #expect(json["hd"] as? String == "workspace.emulator.test")
                #expect(json["name"] as? String == "Carol Park")
                #expect(json["given_name"] as? String == "Carol")
                #expect(json["family_name"] as? String == "Park")
                #expect(json["picture"] is String)
            }
            #expect(try await http.get("/v1/userinfo?access_token=\(Google.encode(token))").json["sub"] as? String == Google.carol)
            #expect(try await http.postForm("/v1/userinfo", "access_token=\(Google.encode(token))").status == 200)
            let v2 = try await http.get("/oauth2/v2/userinfo", headers: [("Authorization", "Bearer \(token)")]).json
            #expect(v2["id"] as? String == Google.carol)
            #expect(v2["verified_email"] as? Bool == true)
            #expect(v2["sub"] == nil)
            let emailOnly = try await Self.accessToken(http, #"{"user_id": "\#(Google.bob)", "scope": "openid email"}"#)
            let bob = try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(emailOnly)")]).json
            #expect(bob["email_verified"] as? Bool == false)
            #expect(bob["name"] == nil, "no profile scope, no names")
            let stats = http.emulator.stats
            #expect(stats.userinfoTotal == 6)
            #expect(try await http.get("/_emulator/stats").json["userinfo_total"] as? Int == 6)
        }
    }

    @Test func userInfoWithABadToken() async throws {
        try await GoogleHTTP.run { http throws in
            for headers in [
                [("Authorization", "Bearer ya29.nonsense")], [], [("Authorization", "Basic abc")], [("Authorization", "Bearer")],
            ] {
                let answer = try await http.get("/v1/userinfo", headers: headers)
                #expect(answer.status == 401)
                #expect(answer.json["error"] as? String == "invalid_request")
                #expect(answer.json["error_description"] as? String == "Invalid Credentials")
                #expect(answer.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer ") == true)
            }
            let v2 = try await http.get("/oauth2/v2/userinfo", headers: [("Authorization", "Bearer nope")])
            #expect(v2.status == 401)
            #expect((v2.json["error"] as? [String: Any])?["status"] as? String == "UNAUTHENTICATED")
            let token = try await Self.accessToken(http, #"{"user_id": "\#(Google.alice)"}"#)
            http.emulator.advanceClock(bySeconds: 3600)
            #expect(try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(token)")]).status == 401, "expired")
        }
    }

    @Test func tokenInfo() async throws {
        try await GoogleHTTP.run { http throws in
            let answer = try await http.login(#"{"user_id": "\#(Google.alice)", "access_type": "offline"}"#)
            let idToken = try #require(answer.json["id_token"] as? String)
            let accessToken = try #require(answer.json["access_token"] as? String)
            let info = try await http.get("/tokeninfo?id_token=\(idToken)").json
            #expect(info["sub"] as? String == Google.alice)
            #expect(info["email_verified"] as? String == "true", "tokeninfo writes every value as a string")
            #expect(info["exp"] is String && info["iat"] is String)
            #expect(info["alg"] as? String == "RS256")
            #expect(info["kid"] as? String == http.emulator.signingKeyID)
            let access = try await http.postForm("/oauth2/v3/tokeninfo", "access_token=\(Google.encode(accessToken))").json
            #expect(access["aud"] as? String == Google.clientID)
            #expect(access["access_type"] as? String == "offline")
            #expect(access["expires_in"] as? String == "3600" || access["expires_in"] as? String == "3599")
            let bad = try await http.get("/tokeninfo?id_token=\(idToken.dropLast(3))AAA")
            #expect(bad.status == 400)
            #expect(bad.json["error"] as? String == "invalid_token")
            #expect(bad.json["error_description"] as? String == "Invalid Value")
            #expect(try await http.get("/tokeninfo?access_token=nope").status == 400)
            #expect(try await http.get("/tokeninfo").status == 400)
        }
    }

    @Test func revokeKillsTheGrant() async throws {
        try await GoogleHTTP.run { http throws in
            let answer = try await http.login(#"{"user_id": "\#(Google.bob)", "access_type": "offline"}"#)
            let accessToken = try #require(answer.json["access_token"] as? String)
            let refreshToken = try #require(answer.json["refresh_token"] as? String)
            let revoked = try await http.postForm("/revoke", "token=\(Google.encode(accessToken))")
            #expect(revoked.status == 200)
            #expect(revoked.body.isEmpty)
            #expect(try await http.get("/v1/userinfo", headers: [("Authorization", "Bearer \(accessToken)")]).status == 401)
            let refresh = try await http.postForm(
                "/token",
                "grant_type=refresh_token&refresh_token=\(Google.encode(refreshToken))",
                headers: [Google.basic]
            )
            #expect(
                refresh.json["error_description"] as? String == "Token has been expired or revoked.",
                "the refresh token died with the grant"
            )
            let again = try await http.postForm("/revoke", "token=\(Google.encode(accessToken))")
            #expect(again.status == 400)
            #expect(again.json["error"] as? String == "invalid_token")
            #expect(again.json["error_description"] as? String == "Token expired or revoked")
            let relogin = try await http.login(#"{"user_id": "\#(Google.bob)", "access_type": "offline"}"#)
            #expect(relogin.json["refresh_token"] is String, "the consent was forgotten: a new consent, a new refresh token")
            #expect(try await http.postForm("/revoke", "").json["error"] as? String == "invalid_request")
            #expect(try await http.get("/revoke?token=x").status == 404, "GET on /revoke is not served")
            let legacy = try await http.get(
                "/o/oauth2/revoke?token=\(Google.encode(try #require(relogin.json["refresh_token"] as? String)))"
            )
            #expect(legacy.status == 200)
            let stats = try await http.get("/_emulator/stats").json
            #expect(stats["revocations_total"] as? Int == 2)
        }
        var configuration = GoogleEmulatorConfiguration()
        configuration.uncertain.revokeBody = .emptyObject
        try await GoogleHTTP.run(configuration) { http throws in
            let token = try await Self.accessToken(http, "{}")
            #expect(try await http.postForm("/revoke?token=\(Google.encode(token))", "").body == "{}")
        }
    }
}
