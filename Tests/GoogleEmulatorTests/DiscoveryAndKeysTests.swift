import EmulatorTestSupport
import Foundation
import GoogleEmulator
import JWTKit
import NIOHTTP1
import Testing

@Suite("Google emulator: discovery and keys")
struct DiscoveryAndKeysTests {
    @Test func discoveryPointsAtTheEmulator() async throws {
        try await GoogleHTTP.run { http throws in
            let answer = try await http.get("/.well-known/openid-configuration")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Content-Type") == "application/json; charset=utf-8")
            #expect(answer.headers.first(name: "Cache-Control") == "public, max-age=3600")
            let discovery = answer.json
            let base = http.baseURL
            #expect(discovery["issuer"] as? String == base)
            #expect(discovery["authorization_endpoint"] as? String == base + "/o/oauth2/v2/auth")
            #expect(discovery["token_endpoint"] as? String == base + "/token")
            #expect(discovery["userinfo_endpoint"] as? String == base + "/v1/userinfo")
            #expect(discovery["revocation_endpoint"] as? String == base + "/revoke")
            #expect(discovery["jwks_uri"] as? String == base + "/oauth2/v3/certs")
            #expect(discovery["code_challenge_methods_supported"] as? [String] == ["plain", "S256"])
            #expect(discovery["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_post", "client_secret_basic"])
            #expect(discovery["id_token_signing_alg_values_supported"] as? [String] == ["RS256"])
            #expect(discovery["authorization_response_iss_parameter_supported"] == nil, "not advertised by default (UNCERTAIN)")
            for (key, method) in [
                ("token_endpoint", HTTPMethod.POST), ("userinfo_endpoint", .GET), ("revocation_endpoint", .POST), ("jwks_uri", .GET),
            ] {
                let url = try #require(discovery[key] as? String)
                #expect(try await http.send(method, String(url.dropFirst(base.count))).status != 404, "\(key) is served")
            }
        }
    }

    @Test func advertisedIssParameterAndConfiguredIssuer() async throws {
        var configuration = GoogleEmulatorConfiguration(issuer: "https://accounts.emulator.test")
        configuration.uncertain.advertiseIssParameter = true
        try await GoogleHTTP.run(configuration) { http throws in
            let discovery = try await http.get("/.well-known/openid-configuration").json
            #expect(discovery["issuer"] as? String == "https://accounts.emulator.test")
            #expect(discovery["authorization_response_iss_parameter_supported"] as? Bool == true)
            #expect(discovery["response_modes_supported"] as? [String] == ["query", "fragment", "form_post"])
            #expect(http.emulator.idTokenIssuer == "https://accounts.emulator.test")
        }
    }

    @Test func jwksHeadersAndShape() async throws {
        try await GoogleHTTP.run(GoogleEmulatorConfiguration(jwksMaxAgeSeconds: 120)) { http throws in
            let answer = try await http.get("/oauth2/v3/certs")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Cache-Control") == "public, max-age=120, must-revalidate, no-transform")
            let expires = try #require(answer.headers.first(name: "Expires"))
            #expect(expires.hasSuffix(" GMT"))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = try #require(formatter.date(from: expires), "an IMF-fixdate: \(expires)")
            #expect(abs(date.timeIntervalSinceNow - 120) < 60)
            let keys = try #require(answer.json["keys"] as? [[String: Any]])
            #expect(keys.count == 2, "the signing key and the next one (published ahead)")
            for key in keys {
                #expect(key["kty"] as? String == "RSA")
                #expect(key["alg"] as? String == "RS256")
                #expect(key["use"] as? String == "sig")
                #expect(key["e"] as? String == "AQAB")
                let kid = try #require(key["kid"] as? String)
                #expect(kid.count == 40 && kid.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            }
            #expect(keys.first?["kid"] as? String == http.emulator.signingKeyID)
        }
    }

    @Test func rotationPublishesAheadAndKeepsOldKeys() async throws {
        try await GoogleHTTP.run { http throws in
            let before = try await http.login(#"{"user_id": "\#(Google.alice)"}"#)
            let oldToken = try #require(before.json["id_token"] as? String)
            let published = try await kids(http)
            let oldKID = http.emulator.signingKeyID
            let rotated = try await http.postJSON("/_emulator/keys/rotate", "")
            #expect(rotated.status == 200)
            let newKID = try #require(rotated.json["kid"] as? String)
            #expect(newKID == published[1], "the key published ahead now signs")
            let after = try await kids(http)
            #expect(after.count == 3)
            #expect(after.contains(oldKID), "the old key stays published")
            let newToken = try #require(try await http.login(#"{"user_id": "\#(Google.alice)"}"#).json["id_token"] as? String)
            let jwks = try await http.get("/oauth2/v3/certs").body
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks)
            for token in [oldToken, newToken] {
                _ = try await keys.verify(token, as: GoogleClaims.self)
            }
            #expect(try header(of: newToken)["kid"] as? String == newKID)
        }
    }

    @Test func immediateRotationSignsWithTheNewKeyAtOnce() async throws {
        var configuration = GoogleEmulatorConfiguration()
        configuration.uncertain.keyRotation = .immediate
        try await GoogleHTTP.run(configuration) { http throws in
            #expect(try await kids(http).count == 1)
            let old = http.emulator.signingKeyID
            try http.emulator.rotateSigningKey()
            let after = try await kids(http)
            #expect(after.count == 2)
            #expect(after[0] == http.emulator.signingKeyID && after[1] == old)
        }
    }

    private func kids(_ http: GoogleHTTP) async throws -> [String] {
        let keys = try #require(try await http.get("/oauth2/v3/certs").json["keys"] as? [[String: Any]])
        return keys.compactMap { $0["kid"] as? String }
    }
}

/// The JWT header of a token, decoded.
func header(of token: String) throws -> [String: Any] {
    let segment = try #require(token.split(separator: ".").first)
    var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    let data = try #require(Data(base64Encoded: base64))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}
