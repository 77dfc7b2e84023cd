import Crypto
import EmulatorTestSupport
import Foundation
import GoogleEmulator
import JWTKit
import NIOHTTP1
import Testing

/// The ID token checked the way a relying party would, with jwt-kit against the published JWKS,
/// and `at_hash` recomputed here per OpenID Connect Core §3.1.3.6.
@Suite("Google emulator: ID tokens")
struct IDTokenTests {
    static func verify(_ http: GoogleHTTP, _ token: String) async throws -> GoogleClaims {
        let keys = try await JWTKeyCollection().add(jwksJSON: try await http.get("/oauth2/v3/certs").body)
        return try await keys.verify(token, as: GoogleClaims.self)
    }

    static func atHash(_ accessToken: String) -> String {
        Data(Array(SHA256.hash(data: Data(accessToken.utf8))).prefix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func everyClaimOfAWorkspaceUser() async throws {
        try await GoogleHTTP.run { http throws in
            let answer = try await http.login(#"{"user_id": "\#(Google.carol)", "nonce": "n-0S6_WzA2Mj"}"#)
            let token = try #require(answer.json["id_token"] as? String)
            let accessToken = try #require(answer.json["access_token"] as? String)
            let claims = try await Self.verify(http, token)
            let header = try header(of: token)
            #expect(header["alg"] as? String == "RS256")
            #expect(header["typ"] as? String == "JWT")
            #expect(header["kid"] as? String == http.emulator.signingKeyID)
            #expect(claims.iss == http.baseURL)
            #expect(claims.aud == Google.clientID)
            #expect(claims.azp == Google.clientID)
            #expect(claims.sub == Google.carol)
            #expect(claims.hd == "workspace.emulator.test")
            #expect(claims.email == "carol@workspace.emulator.test")
            #expect(claims.email_verified == true)
            #expect(claims.name == "Carol Park")
            #expect(claims.given_name == "Carol")
            #expect(claims.family_name == "Park")
            #expect(claims.picture?.hasPrefix("https://lh3.googleusercontent.com/") == true)
            #expect(claims.nonce == "n-0S6_WzA2Mj")
            #expect(claims.locale == nil, "locale is off by default (UNCERTAIN)")
            #expect(claims.at_hash == Self.atHash(accessToken))
            #expect(claims.exp - claims.iat == 3600)
            #expect(abs(Double(claims.iat) - Date().timeIntervalSince1970) < 60)
            let payload = try #require(token.split(separator: ".").dropFirst().first)
            var base64 = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            let text = String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
            #expect(text.hasPrefix(#"{"iss":"#) && text.contains(#""sub":"110112233445566778899""#), "sub is a string")
            #expect(text.contains(#""email_verified":true"#), "a JSON boolean")
        }
    }

    @Test func claimsFollowTheScopes() async throws {
        var configuration = GoogleEmulatorConfiguration(idTokenIssuerForm: .withoutScheme)
        configuration.uncertain.localeClaim = true
        try await GoogleHTTP.run(configuration) { http throws in
            let bob = try await Self.verify(
                http,
                try #require(try await http.login(#"{"user_id": "\#(Google.bob)"}"#).json["id_token"] as? String)
            )
            #expect(bob.iss == String(http.baseURL.dropFirst("http://".count)), "Google's legacy spelling: no scheme")
            #expect(bob.email_verified == false)
            #expect(bob.hd == nil)
            #expect(bob.locale == "en-GB")
            #expect(bob.nonce == nil)

            let emailOnly = try await http.login(#"{"user_id": "\#(Google.alice)", "scope": "openid email"}"#)
            let alice = try await Self.verify(http, try #require(emailOnly.json["id_token"] as? String))
            #expect(alice.email == "alice.emulator@gmail.com")
            #expect(alice.name == nil && alice.picture == nil)

            let profileOnly = try await http.login(#"{"user_id": "\#(Google.alice)", "scope": "profile"}"#)
            let profile = try await Self.verify(http, try #require(profileOnly.json["id_token"] as? String))
            #expect(profile.email == nil && profile.email_verified == nil)
            #expect(profile.name == "Alice Kim")
            #expect(
                profileOnly.json["scope"] as? String == "https://www.googleapis.com/auth/userinfo.profile openid",
                "openid comes with a userinfo scope"
            )
        }
    }

    @Test func refreshedIDTokenAndClock() async throws {
        try await GoogleHTTP.run { http throws in
            let first = try await http.login(#"{"user_id": "\#(Google.alice)", "access_type": "offline", "nonce": "abc"}"#)
            let refreshToken = try #require(first.json["refresh_token"] as? String)
            #expect(try await http.postJSON("/_emulator/clock", #"{"advance_seconds": 7200}"#).status == 200)
            let refreshed = try await http.postForm(
                "/token",
                "grant_type=refresh_token&refresh_token=\(Google.encode(refreshToken))",
                headers: [Google.basic]
            )
            let token = try #require(refreshed.json["id_token"] as? String)
            let claims = try await JWTKeyCollection().add(jwksJSON: try await http.get("/oauth2/v3/certs").body).unverified(
                token,
                as: GoogleClaims.self
            )
            #expect(claims.nonce == nil, "a refreshed ID token has no nonce")
            #expect(claims.at_hash == Self.atHash(try #require(refreshed.json["access_token"] as? String)))
            #expect(Double(claims.iat) - Date().timeIntervalSince1970 > 7000, "issued by the emulated clock")
        }
    }
}
