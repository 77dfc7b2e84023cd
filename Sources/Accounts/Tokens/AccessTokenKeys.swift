import Base64Coding
import Foundation
import JWTKit

/// The ES256 keys that sign and verify app access tokens, and the JWKS that publishes them.
///
/// Keys come from `LOGIN_JWT_KEYS`, a folder of PEM private keys whose file names (without
/// `.pem`) are the key ids (``loadKeys(fromFolder:)``). One of them signs
/// (`LOGIN_JWT_SIGNING_KID`); all are published and all verify. A key is rotated by adding a
/// new file and switching the signing kid to it: tokens signed by the old key keep verifying
/// while its file stays, which must be at least one access-token lifetime (15 minutes).
///
/// ```swift
/// let keys = try await AccessTokenKeys(
///     keys: try AccessTokenKeys.loadKeys(fromFolder: folder), signingKID: "2026-08",
///     issuer: "kakao-login", audience: "kakao-login")
/// let (token, _) = try await keys.sign(userID: user, sessionID: session)
/// let claims = try await keys.verify(token)
/// ```
public struct AccessTokenKeys: Sendable {
    /// The only algorithm signed and accepted.
    public static let algorithm = "ES256"

    /// The id of the key that signs.
    public let signingKID: String
    /// Every key id, published and accepted.
    public let kids: [String]
    /// `iss` of issued tokens, required when verifying.
    public let issuer: String
    /// `aud` of issued tokens, required when verifying.
    public let audience: String
    /// Lifetime of an access token: 15 minutes by default.
    public let lifetime: TimeInterval
    private let collection: JWTKeyCollection
    private let publicJWKS: [UInt8]

    /// - Parameters:
    ///   - keys: key id → private key; at least one, ids distinct and well-formed
    ///     (``isValidKID(_:)``).
    ///   - signingKID: which key signs; may be nil when there is exactly one key.
    ///   - issuer: `iss`, not empty.
    ///   - audience: `aud`, not empty.
    ///   - lifetime: of each access token, positive.
    /// - Throws: ``AccountsError/Code/noSigningKeys``, ``AccountsError/Code/invalidSigningKeys``,
    ///   ``AccountsError/Code/invalidConfiguration``.
    public init(
        keys: [(kid: String, key: ES256PrivateKey)],
        signingKID: String?,
        issuer: String,
        audience: String,
        lifetime: TimeInterval = 15 * 60
    ) async throws(AccountsError) {
        guard !keys.isEmpty else { throw AccountsError(.noSigningKeys) }
        let kids = keys.map(\.kid)
        guard kids.allSatisfy(Self.isValidKID) else {
            throw AccountsError(.invalidSigningKeys, "a key id is not 1 to 64 characters of [A-Za-z0-9._-]")
        }
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
        guard !issuer.isEmpty, !audience.isEmpty else {
            throw AccountsError(.invalidConfiguration, "the access-token issuer and audience must not be empty")
        }
        guard lifetime > 0 else { throw AccountsError(.invalidConfiguration, "the access-token lifetime must be positive") }

        let collection = JWTKeyCollection()
        var published: [PublishedKey] = []
        for (kid, key) in keys {
            await collection.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            guard let parameters = key.parameters else { throw AccountsError(.invalidSigningKeys, "a key has no public parameters") }
            published.append(PublishedKey(kid: kid, x: parameters.x, y: parameters.y))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            self.publicJWKS = Array(try encoder.encode(["keys": published]))
        } catch {
            throw AccountsError(.invalidSigningKeys, "the JWKS cannot be encoded")
        }
        self.signingKID = chosen
        self.kids = kids
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.collection = collection
    }

    /// The JWKS document (`GET /.well-known/jwks.json`): the public half of every key, with
    /// `kid`, `alg: ES256` and `use: sig`.
    public var jwksJSON: [UInt8] { publicJWKS }

    /// Signs a new access token for a user's session with the signing key.
    public func sign(
        userID: UUID,
        sessionID: UUID,
        now: Date = Date()
    ) async throws(AccountsError) -> (
        token: String, claims: AccessTokenClaims
    ) {
        let claims = AccessTokenClaims(
            issuer: issuer,
            audience: audience,
            userID: userID,
            sessionID: sessionID,
            issuedAt: now,
            lifetime: lifetime
        )
        var header = JWTHeader()
        header.typ = "JWT"
        do {
            let token = try await collection.sign(claims, kid: JWKIdentifier(string: signingKID), header: header)
            return (token, claims)
        } catch {
            throw AccountsError(.signingFailed)
        }
    }

    /// Verifies an access token: `alg` ES256 and nothing else, a `kid` naming one of ``kids``,
    /// the signature of that key, `exp` in the future, `iss` and `aud` as configured.
    ///
    /// - Throws: ``AccountsError/Code/invalidAccessToken`` whatever is wrong (the reason is not
    ///   told apart, to callers or attackers).
    public func verify(_ token: String) async throws(AccountsError) -> AccessTokenClaims {
        guard token.utf8.count <= 4096 else { throw AccountsError(.invalidAccessToken) }
        // The header is read by jwt-kit's own parser, the one that picks the key, so both see
        // the same `alg` and `kid`. An unknown kid must be refused here: the collection would
        // fall back to its default key.
        let header: JWTHeader
        do {
            header = try DefaultJWTParser().parse(Array(token.utf8), as: AccessTokenClaims.self).header
        } catch {
            throw AccountsError(.invalidAccessToken)
        }
        guard header.alg == Self.algorithm, let kid = header.kid, kids.contains(kid) else {
            throw AccountsError(.invalidAccessToken)
        }
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

    /// Whether `kid` is 1 to 64 characters of `[A-Za-z0-9._-]`, not starting with a dot (it is
    /// also a file name in the key folder).
    public static func isValidKID(_ kid: String) -> Bool {
        (1...64).contains(kid.utf8.count) && !kid.hasPrefix(".")
            && kid.utf8.allSatisfy { Base64URL.isAlphabet(byte: $0) || $0 == UInt8(ascii: ".") }
    }

    /// One entry of the JWKS.
    private struct PublishedKey: Encodable {
        var kty = "EC"
        var crv = "P-256"
        var alg = AccessTokenKeys.algorithm
        var use = "sig"
        let kid: String
        let x: String
        let y: String
    }
}
