import Accounts
import Crypto
import Foundation
import JWTKit
import Testing

@Suite("AccessTokenKeys: ES256 access tokens, JWKS, key folders and rotation")
struct AccessTokenKeysTests {
    static let issuer = "kakao-login"
    static let audience = "kakao-login-app"

    /// A key as both jwt-kit and swift-crypto see it, so tests can sign tokens by hand.
    struct TestKey {
        let kid: String
        let crypto = P256.Signing.PrivateKey()
        var jwt: ES256PrivateKey { try! ES256PrivateKey(pem: crypto.pemRepresentation) }
    }

    static func keys(
        _ keys: [TestKey],
        signingKID: String? = nil,
        issuer: String = issuer,
        audience: String = audience,
        lifetime: TimeInterval = 15 * 60
    ) async throws -> AccessTokenKeys {
        try await AccessTokenKeys(
            keys: keys.map { ($0.kid, $0.jwt) },
            signingKID: signingKID,
            issuer: issuer,
            audience: audience,
            lifetime: lifetime
        )
    }

    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: some StringProtocol) throws -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try #require(Data(base64Encoded: base64))
    }

    /// The JSON object of a token's header.
    static func header(of token: String) throws -> [String: String] {
        let segment = try #require(token.split(separator: ".", omittingEmptySubsequences: false).first)
        return try JSONDecoder().decode([String: String].self, from: decodeBase64URL(segment))
    }

    /// `header.payload.signature` with the given header JSON, the payload of `token`, and an
    /// ES256 signature by `key` (a valid signature: only the header is wrong).
    static func resigned(_ token: String, header: String, with key: P256.Signing.PrivateKey) throws -> String {
        let payload = token.split(separator: ".")[1]
        let input = base64URL(Array(header.utf8)) + "." + payload
        let signature = try key.signature(for: Array(input.utf8)).rawRepresentation
        return input + "." + base64URL(signature)
    }

    @Test("sign then verify: ES256, kid, typ, and every claim")
    func signAndVerify() async throws {
        let key = TestKey(kid: "k1")
        let keys = try await Self.keys([key])
        let user = UUID()
        let session = UUID()
        let (token, signed) = try await keys.sign(userID: user, sessionID: session)
        #expect(try Self.header(of: token) == ["alg": "ES256", "kid": "k1", "typ": "JWT"])
        let claims = try await keys.verify(token)
        #expect(claims == signed)
        #expect(claims.userID == user && claims.sessionID == session)
        #expect(claims.sub.value == user.uuidString.lowercased())
        #expect(claims.iss.value == Self.issuer && claims.aud.value == [Self.audience])
        #expect(claims.exp.value.timeIntervalSince(claims.iat.value) == 15 * 60)
        #expect(!claims.jti.value.isEmpty)
        let other = try await keys.sign(userID: user, sessionID: session).claims
        #expect(other.jti != claims.jti)
    }

    @Test("a forged signature, a tampered payload or another key under the same kid are refused")
    func forged() async throws {
        let key = TestKey(kid: "k1")
        let keys = try await Self.keys([key])
        let token = try await keys.sign(userID: UUID(), sessionID: UUID()).token
        let parts = token.split(separator: ".").map(String.init)

        var signature = Array(try Self.decodeBase64URL(parts[2]))
        signature[10] ^= 0x01
        let flipped = parts[0] + "." + parts[1] + "." + Self.base64URL(signature)

        var payload = try JSONSerialization.jsonObject(with: Self.decodeBase64URL(parts[1])) as! [String: Any]
        payload["sub"] = UUID().uuidString.lowercased()
        let tampered = parts[0] + "." + Self.base64URL(try JSONSerialization.data(withJSONObject: payload)) + "." + parts[2]

        let impostor = try await Self.keys([TestKey(kid: "k1")])
        let impostorToken = try await impostor.sign(userID: UUID(), sessionID: UUID()).token

        for forged in [flipped, tampered, impostorToken, parts[0] + "." + parts[1] + "."] {
            let error = await #expect(throws: AccountsError.self) { _ = try await keys.verify(forged) }
            #expect(error?.code == .invalidAccessToken)
        }
    }

    @Test("an expired token is refused")
    func expired() async throws {
        let keys = try await Self.keys([TestKey(kid: "k1")])
        let token = try await keys.sign(userID: UUID(), sessionID: UUID(), now: Date().addingTimeInterval(-16 * 60)).token
        let error = await #expect(throws: AccountsError.self) { _ = try await keys.verify(token) }
        #expect(error?.code == .invalidAccessToken)
    }

    @Test("a wrong, unknown or missing kid is refused, even with a valid signature of a known key")
    func kidChecks() async throws {
        let key = TestKey(kid: "k1")
        let keys = try await Self.keys([key])
        let token = try await keys.sign(userID: UUID(), sessionID: UUID()).token
        let otherKeys = try await Self.keys([TestKey(kid: "k2")])
        let otherToken = try await otherKeys.sign(userID: UUID(), sessionID: UUID()).token
        let refused = [
            otherToken,
            try Self.resigned(token, header: #"{"alg":"ES256","kid":"unknown","typ":"JWT"}"#, with: key.crypto),
            try Self.resigned(token, header: #"{"alg":"ES256","typ":"JWT"}"#, with: key.crypto),
            try Self.resigned(token, header: #"{"alg":"ES256","kid":"","typ":"JWT"}"#, with: key.crypto),
            try Self.resigned(token, header: #"{"alg":"ES256","kid":["k1"],"typ":"JWT"}"#, with: key.crypto),
        ]
        for bad in refused {
            let error = await #expect(throws: AccountsError.self) { _ = try await keys.verify(bad) }
            #expect(error?.code == .invalidAccessToken)
        }
        // The same hand-made signature with the right kid passes: only the header made the difference.
        let control = try Self.resigned(token, header: #"{"alg":"ES256","kid":"k1","typ":"JWT"}"#, with: key.crypto)
        _ = try await keys.verify(control)
    }

    @Test("an alg other than ES256 is refused: none, HS256 keyed with the public key, ES384, RS256")
    func algorithmPinned() async throws {
        let key = TestKey(kid: "k1")
        let keys = try await Self.keys([key])
        let token = try await keys.sign(userID: UUID(), sessionID: UUID()).token
        let payload = token.split(separator: ".")[1]

        let noneHeader = Self.base64URL(Array(#"{"alg":"none","kid":"k1","typ":"JWT"}"#.utf8))
        let none = noneHeader + "." + payload + "."
        // The classic confusion: HMAC keyed with the published public key.
        let hsHeader = Self.base64URL(Array(#"{"alg":"HS256","kid":"k1","typ":"JWT"}"#.utf8))
        let hsInput = hsHeader + "." + payload
        let publicKey = SymmetricKey(data: key.crypto.publicKey.x963Representation)
        let hs256 = hsInput + "." + Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(hsInput.utf8), using: publicKey)))
        let es384 = try Self.resigned(token, header: #"{"alg":"ES384","kid":"k1","typ":"JWT"}"#, with: key.crypto)
        let rs256 = try Self.resigned(token, header: #"{"alg":"RS256","kid":"k1","typ":"JWT"}"#, with: key.crypto)
        let noAlg = try Self.resigned(token, header: #"{"kid":"k1","typ":"JWT"}"#, with: key.crypto)

        for bad in [none, hs256, es384, rs256, noAlg] {
            let error = await #expect(throws: AccountsError.self) { _ = try await keys.verify(bad) }
            #expect(error?.code == .invalidAccessToken)
        }
    }

    @Test("a token for another issuer or audience is refused")
    func issuerAndAudience() async throws {
        let key = TestKey(kid: "k1")
        let keys = try await Self.keys([key])
        for (issuer, audience) in [("someone-else", Self.audience), (Self.issuer, "another-app")] {
            let foreign = try await Self.keys([key], issuer: issuer, audience: audience)
            let token = try await foreign.sign(userID: UUID(), sessionID: UUID()).token
            let error = await #expect(throws: AccountsError.self) { _ = try await keys.verify(token) }
            #expect(error?.code == .invalidAccessToken)
        }
    }

    @Test("malformed and over-long input is refused")
    func malformed() async throws {
        let keys = try await Self.keys([TestKey(kid: "k1")])
        let token = try await keys.sign(userID: UUID(), sessionID: UUID()).token
        for bad in ["", ".", "..", "a.b", "a.b.c", "not a jwt", token + ".x", String(repeating: "a", count: 5_000), "\0" + token] {
            let error = await #expect(throws: AccountsError.self) { _ = try await keys.verify(bad) }
            #expect(error?.code == .invalidAccessToken)
        }
    }

    @Test("the JWKS publishes every public key, and verifies our tokens on its own")
    func jwks() async throws {
        let first = TestKey(kid: "k1")
        let second = TestKey(kid: "k2")
        let keys = try await Self.keys([first, second], signingKID: "k2")
        let document = try JSONDecoder().decode([String: [[String: String]]].self, from: Data(keys.jwksJSON))
        let published = try #require(document["keys"])
        #expect(published.map { $0["kid"] } == ["k1", "k2"])
        for (entry, key) in zip(published, [first, second]) {
            #expect(Set(entry.keys) == ["kty", "crv", "alg", "use", "kid", "x", "y"])
            #expect(entry["kty"] == "EC" && entry["crv"] == "P-256" && entry["alg"] == "ES256" && entry["use"] == "sig")
            let point = key.crypto.publicKey.x963Representation
            #expect(entry["x"] == Self.base64URL(point[1..<33]) && entry["y"] == Self.base64URL(point[33..<65]))
        }
        // A relying party that knows only the JWKS.
        let relyingParty = JWTKeyCollection()
        try await relyingParty.add(jwksJSON: String(decoding: keys.jwksJSON, as: UTF8.self))
        let (token, claims) = try await keys.sign(userID: UUID(), sessionID: UUID())
        #expect(try await relyingParty.verify(token, as: AccessTokenClaims.self) == claims)
    }

    @Test("rotation: add a key and sign with it; tokens of the old key still verify")
    func rotation() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-keys-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AccessTokenKeys.generateKeyFolder(at: folder, kid: "2026-07")
        let before = try await AccessTokenKeys(
            keys: AccessTokenKeys.loadKeys(fromFolder: folder),
            signingKID: nil,
            issuer: Self.issuer,
            audience: Self.audience
        )
        let oldToken = try await before.sign(userID: UUID(), sessionID: UUID()).token

        try AccessTokenKeys.generateKeyFolder(at: folder, kid: "2026-08")
        let after = try await AccessTokenKeys(
            keys: AccessTokenKeys.loadKeys(fromFolder: folder),
            signingKID: "2026-08",
            issuer: Self.issuer,
            audience: Self.audience
        )
        #expect(after.kids == ["2026-07", "2026-08"])
        _ = try await after.verify(oldToken)
        let newToken = try await after.sign(userID: UUID(), sessionID: UUID()).token
        #expect(try Self.header(of: newToken)["kid"] == "2026-08")
        let published = try JSONDecoder().decode([String: [[String: String]]].self, from: Data(after.jwksJSON))["keys"]
        #expect(published?.compactMap { $0["kid"] } == ["2026-07", "2026-08"])
        // Several keys need an explicit signing kid.
        let error = await #expect(throws: AccountsError.self) {
            _ = try await AccessTokenKeys(
                keys: AccessTokenKeys.loadKeys(fromFolder: folder),
                signingKID: nil,
                issuer: Self.issuer,
                audience: Self.audience
            )
        }
        #expect(error?.code == .invalidSigningKeys)
    }

    @Test("generateKeyFolder: a 0700 folder, a 0600 PEM named by its kid, never overwritten")
    func generateKeyFolder() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-keys-\(UUID())/nested").path
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let path = try AccessTokenKeys.generateKeyFolder(at: folder, kid: "dev")
        #expect(path == folder + "/dev.pem")
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let folderMode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int
        #expect(fileMode == 0o600 && folderMode == 0o700)
        let original = try String(contentsOfFile: path, encoding: .utf8)
        #expect(original.contains("BEGIN PRIVATE KEY") || original.contains("BEGIN EC PRIVATE KEY"))

        let again = #expect(throws: AccountsError.self) { try AccessTokenKeys.generateKeyFolder(at: folder, kid: "dev") }
        #expect(again?.code == .invalidSigningKeys)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        for kid in ["", ".hidden", "../escape", "a/b", String(repeating: "k", count: 65), "키"] {
            let error = #expect(throws: AccountsError.self) { try AccessTokenKeys.generateKeyFolder(at: folder, kid: kid) }
            #expect(error?.code == .invalidSigningKeys)
        }
        let loaded = try AccessTokenKeys.loadKeys(fromFolder: folder)
        #expect(loaded.map(\.kid) == ["dev"])
    }

    @Test("loadKeys and init refuse what cannot be a key set")
    func invalidKeySets() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-keys-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)

        let empty = #expect(throws: AccountsError.self) { _ = try AccessTokenKeys.loadKeys(fromFolder: folder) }
        #expect(empty?.code == .noSigningKeys)
        let missing = #expect(throws: AccountsError.self) { _ = try AccessTokenKeys.loadKeys(fromFolder: folder + "/none") }
        #expect(missing?.code == .invalidSigningKeys)

        try P384.Signing.PrivateKey().pemRepresentation.write(toFile: folder + "/p384.pem", atomically: true, encoding: .utf8)
        let wrongCurve = #expect(throws: AccountsError.self) { _ = try AccessTokenKeys.loadKeys(fromFolder: folder) }
        #expect(wrongCurve?.code == .invalidSigningKeys)
        try "not a key".write(toFile: folder + "/p384.pem", atomically: true, encoding: .utf8)
        let garbage = #expect(throws: AccountsError.self) { _ = try AccessTokenKeys.loadKeys(fromFolder: folder) }
        #expect(garbage?.code == .invalidSigningKeys)

        let key = TestKey(kid: "k1")
        let invalid: [() async throws -> AccessTokenKeys] = [
            { try await Self.keys([]) },
            { try await Self.keys([key, TestKey(kid: "k1")], signingKID: "k1") },
            { try await Self.keys([key], signingKID: "k9") },
            { try await Self.keys([TestKey(kid: "bad kid")]) },
            { try await Self.keys([key], issuer: "") },
            { try await Self.keys([key], lifetime: 0) },
        ]
        for make in invalid {
            await #expect(throws: AccountsError.self) { _ = try await make() }
        }
    }
}
