import Foundation
import OAuthClientSupport

/// The verified claims of a Kakao ID token. `sub` is the same number as user/me `id`: compare
/// ``userID`` with ``KakaoUser/id`` (a mismatch is `id_token_invalid`). `description` hides the email.
public struct KakaoIDTokenClaims: Sendable, Hashable, CustomStringConvertible {
    /// `iss`, checked against the configured issuer.
    public let issuer: String
    /// `aud`, each one a key this client accepts.
    public let audiences: [String]
    /// The user id as Kakao writes it (a decimal string).
    public let subject: String
    /// `iat`.
    public let issuedAt: Date
    /// `exp` (the access token's lifetime after `iat`).
    public let expiresAt: Date
    /// `auth_time`: when the user authenticated at Kakao.
    public let authTime: Date?
    /// `nonce`, as sent to authorize.
    public let nonce: String?
    /// Needs nickname consent.
    public let nickname: String?
    /// Profile thumbnail URL; needs image consent.
    public let picture: String?
    /// Present only when the email is valid and verified (and consented).
    public let email: String?

    /// ``subject`` as a 64-bit id, when it is one.
    public var userID: Int64? { Int64(subject) }

    public var description: String {
        "KakaoIDTokenClaims(subject: \(subject), issuer: \(issuer), expiresAt: \(expiresAt), email: \(email == nil ? "absent" : "present"))"
    }
}

/// The ID-token payload once its signature verified: every claim optional and leniently typed, so
/// a surprise is reported by ``KakaoIDTokenVerifier`` as a failed check, not a decoding crash.
struct KakaoIDTokenPayload: JSONReadable {
    let iss: String?
    let aud: [String]
    let sub: String?
    let iat: Double?
    let exp: Double?
    let authTime: Double?
    let nonce: String?
    let nickname: String?
    let picture: String?
    let email: String?

    /// Nil unless the payload is an object.
    init?(json: JSONValue) {
        guard json.object != nil else { return nil }
        iss = json["iss"]?.string
        aud = json["aud"]?.strings ?? json["aud"]?.string.map { [$0] } ?? []
        sub = json["sub"]?.string ?? json["sub"]?.int64.map(String.init)
        iat = json["iat"]?.double
        exp = json["exp"]?.double
        authTime = json["auth_time"]?.double
        nonce = json["nonce"]?.string
        nickname = json["nickname"]?.string
        picture = json["picture"]?.string
        email = json["email"]?.string
    }
}
