import Base64Coding
import Crypto
import EmulatorSupport

/// The payload of a Google ID token, members in the order of Google's captures: `iss`, `azp`,
/// `aud`, `sub`, `hd`, `email`, `email_verified`, `at_hash`, `nonce`, `name`, `picture`,
/// `given_name`, `family_name`, `iat`, `exp`. Email claims need the `email` scope, profile
/// claims the `profile` scope.
struct IDTokenClaims {
    let issuer: String
    let grant: TokenGrant
    let issuedAt: Int64
    let lifetimeSeconds: Int
    let localeClaim: Bool

    /// OIDC `at_hash`: base64url of the left half of SHA-256 of the access token.
    static func atHash(_ accessToken: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(accessToken.utf8))).prefix(16))
    }

    var json: String {
        let user = grant.user
        var claims = JSONObjectWriter()
        claims.add("iss", issuer)
        claims.add("azp", grant.clientID)
        claims.add("aud", grant.clientID)
        claims.add("sub", user.sub)
        claims.add("hd", ifPresent: user.hd)
        if grant.scopes.contains(GoogleScopes.email), let email = user.email {
            claims.add("email", email)
            claims.add("email_verified", user.emailVerified)
        }
        claims.add("at_hash", Self.atHash(grant.accessToken))
        claims.add("nonce", ifPresent: grant.nonce)
        if grant.scopes.contains(GoogleScopes.profile) {
            claims.add("name", ifPresent: user.name)
            claims.add("picture", ifPresent: user.picture)
            claims.add("given_name", ifPresent: user.givenName)
            claims.add("family_name", ifPresent: user.familyName)
            if localeClaim { claims.add("locale", ifPresent: user.locale) }
        }
        claims.add("iat", issuedAt)
        claims.add("exp", issuedAt + Int64(lifetimeSeconds))
        return claims.finish()
    }
}
