import Foundation
import OAuthClientSupport

/// The verified claims of a Google ID token. Key accounts on (``issuer``, ``subject``), never on
/// the email; trust the email only as Google's guidance says (`@gmail.com`, or verified with a
/// ``hostedDomain``). `description` hides the email and name.
public struct GoogleIDTokenClaims: Sendable, Hashable, CustomStringConvertible {
    /// `sub`: Google's user id (a numeric string, up to 255 characters).
    public let subject: String
    /// `email`, with the `email` scope.
    public let email: String?
    /// `email_verified` (a boolean or the string `"true"`); false when absent.
    public let emailVerified: Bool
    /// `name`, with the `profile` scope (may be missing).
    public let name: String?
    /// `picture`, with the `profile` scope.
    public let picture: String?
    /// `hd`: the Workspace domain; absent for consumer accounts.
    public let hostedDomain: String?
    /// `nonce`, as sent to authorize.
    public let nonce: String?
    /// `iss`, one of the accepted issuers (Google writes it with or without `https://`).
    public let issuer: String
    /// The `aud` value that named this client (its client id).
    public let audience: String
    /// `azp`: the client the token was issued to, when present.
    public let authorizedParty: String?
    /// `iat`.
    public let issuedAt: Date
    /// `exp` (one hour after `iat`); not a session length.
    public let expiresAt: Date

    public var description: String {
        "GoogleIDTokenClaims(subject: \(subject), issuer: \(issuer), expiresAt: \(expiresAt), email: \(email == nil ? "absent" : "present"), emailVerified: \(emailVerified), hostedDomain: \(hostedDomain ?? "absent"))"
    }
}

/// The ID-token payload once its signature verified: every claim optional and leniently typed, so
/// a surprise is reported by ``GoogleIDTokenVerifier`` as a failed check, not a decoding crash.
struct GoogleIDTokenPayload: JSONReadable {
    let iss: String?
    let aud: [String]
    let azp: String?
    let sub: String?
    let iat: Double?
    let exp: Double?
    let nonce: String?
    let email: String?
    let emailVerified: Bool
    let name: String?
    let picture: String?
    let hd: String?

    /// Nil unless the payload is an object.
    init?(json: JSONValue) {
        guard json.object != nil else { return nil }
        iss = json["iss"]?.string
        aud = json["aud"]?.strings ?? json["aud"]?.string.map { [$0] } ?? []
        azp = json["azp"]?.string
        sub = json["sub"]?.string
        iat = json["iat"]?.double ?? json["iat"]?.string.flatMap { Double($0) }
        exp = json["exp"]?.double ?? json["exp"]?.string.flatMap { Double($0) }
        nonce = json["nonce"]?.string
        email = json["email"]?.string
        emailVerified = json["email_verified"]?.flag ?? false
        name = json["name"]?.string
        picture = json["picture"]?.string
        hd = json["hd"]?.string
    }
}
