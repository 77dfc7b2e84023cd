import Foundation
import JWTKit

/// The ES256 keys that sign and verify app access tokens, and the JWKS that publishes them.
///
/// Keys come from `LOGIN_JWT_KEYS`, a folder of PEM private keys whose file names (without
/// `.pem`) are the key ids. One of them signs (`LOGIN_JWT_SIGNING_KID`); all are published and
/// all verify, so a key is rotated by adding a new one, switching the signing kid, and removing
/// the old file once the last token it signed has expired (15 minutes).
public struct AccessTokenKeys: Sendable {
    /// The id of the key that signs.
    public let signingKID: String
    /// Every key id, published and accepted.
    public let kids: [String]
    /// `iss` of issued tokens, required when verifying.
    public let issuer: String
    /// `aud` of issued tokens, required when verifying.
    public let audience: String
    /// Lifetime of an access token.
    public let lifetime: TimeInterval
    private let collection: JWTKeyCollection
    private let publicJWKS: [UInt8]

    /// - Parameters:
    ///   - keys: key id → private key; at least one.
    ///   - signingKID: which key signs; may be nil when there is exactly one key.
    public init(
        keys: [(kid: String, key: ES256PrivateKey)],
        signingKID: String?,
        issuer: String,
        audience: String,
        lifetime: TimeInterval = 15 * 60
    ) async throws(AccountsError) {
        guard !keys.isEmpty else { throw AccountsError(.noSigningKeys) }
        let kids = keys.map(\.kid)
        guard Set(kids).count == kids.count else { throw AccountsError(.invalidSigningKeys, "two keys have the same id") }
        let chosen: String
        if let signingKID {
            guard kids.contains(signingKID) else { throw AccountsError(.invalidSigningKeys, "LOGIN_JWT_SIGNING_KID names no key") }
            chosen = signingKID
        } else {
            guard kids.count == 1 else {
                throw AccountsError(.invalidSigningKeys, "several keys: set LOGIN_JWT_SIGNING_KID")
            }
            chosen = kids[0]
        }
        let collection = JWTKeyCollection()
        var jwks: [[String: String]] = []
        for (kid, key) in keys {
            await collection.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            guard let parameters = key.parameters else { throw AccountsError(.invalidSigningKeys, "a key has no public parameters") }
            jwks.append([
                "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid, "x": parameters.x, "y": parameters.y,
            ])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.signingKID = chosen
        self.kids = kids
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.collection = collection
        // Encoding a dictionary of strings cannot fail.
        self.publicJWKS = Array(try! encoder.encode(["keys": jwks]))
    }

    /// Loads every `*.pem` file of `folder` as an ES256 private key named by its file name.
    public static func loadKeys(fromFolder folder: String) throws(AccountsError) -> [(kid: String, key: ES256PrivateKey)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".pem") }.sorted()
        } catch {
            throw AccountsError(.invalidSigningKeys, "LOGIN_JWT_KEYS folder cannot be read")
        }
        guard !names.isEmpty else { throw AccountsError(.noSigningKeys) }
        var keys: [(kid: String, key: ES256PrivateKey)] = []
        for name in names {
            let kid = String(name.dropLast(4))
            let path = (folder as NSString).appendingPathComponent(name)
            guard let pem = FileManager.default.contents(atPath: path) else {
                throw AccountsError(.invalidSigningKeys, "key file \(name) cannot be read")
            }
            do {
                keys.append((kid, try ES256PrivateKey(pem: pem)))
            } catch {
                throw AccountsError(.invalidSigningKeys, "key file \(name) is not an ES256 (P-256) private key in PEM")
            }
        }
        return keys
    }

    /// The JWKS document (`GET /.well-known/jwks.json`).
    public var jwksJSON: [UInt8] { publicJWKS }

    /// Signs a new access token for a user's session.
    public func sign(userID: String, sessionID: String, now: Date = Date()) async throws(AccountsError) -> (token: String, claims: AccessTokenClaims) {
        let claims = AccessTokenClaims(
            issuer: issuer, audience: audience, userID: userID, sessionID: sessionID, issuedAt: now, lifetime: lifetime)
        do {
            let token = try await collection.sign(claims, kid: JWKIdentifier(string: signingKID))
            return (token, claims)
        } catch {
            throw AccountsError(.signingFailed)
        }
    }

    /// Verifies an access token: ES256 only, a known `kid`, signature, expiry, issuer, audience.
    public func verify(_ token: String) async throws(AccountsError) -> AccessTokenClaims {
        guard token.utf8.count <= 4096, let header = Self.header(of: token),
            header.alg == "ES256", let kid = header.kid, kids.contains(kid)
        else { throw AccountsError(.invalidAccessToken) }
        let claims: AccessTokenClaims
        do {
            claims = try await collection.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw AccountsError(.invalidAccessToken)
        }
        guard claims.iss.value == issuer, claims.aud.value.contains(audience) else {
            throw AccountsError(.invalidAccessToken)
        }
        return claims
    }

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private static func header(of token: String) -> Header? {
        guard let dot = token.firstIndex(of: "."), var base64 = Optional(String(token[..<dot])) else { return nil }
        base64 = base64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if base64.count % 4 != 0 { base64 += String(repeating: "=", count: 4 - base64.count % 4) }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(Header.self, from: data)
    }
}
