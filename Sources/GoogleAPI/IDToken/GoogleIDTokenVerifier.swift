import Foundation
import OAuthClientSupport

/// Verifies Google ID tokens: RS256 only (the header must say so and the key is pinned to it), a
/// `kid` from the discovery document's `jwks_uri`, then `iss` (either of Google's spellings),
/// `aud`, `azp`, `exp` and `iat` (with skew), `nonce` and `sub`.
struct GoogleIDTokenVerifier: Sendable {
    let configuration: GoogleClientConfiguration
    let cache: JWKSCache<GoogleAPIError>

    func verify(
        _ token: String,
        nonce expectedNonce: String?,
        now: Date = Date(),
        fetch: @escaping JWKSCache<GoogleAPIError>.Fetch
    ) async throws(GoogleAPIError) -> GoogleIDTokenClaims {
        let payload = try await cache.verifiedPayload(
            of: token,
            as: GoogleIDTokenPayload.self,
            reject: { .idToken(GoogleIDTokenCheck(rawValue: $0.rawValue) ?? .malformed) },
            fetch: fetch
        )
        guard let issuer = payload.iss, configuration.acceptedIssuers.contains(issuer) else { throw .idToken(.issuer) }
        let clientID = configuration.clientID
        guard payload.aud.contains(clientID) else { throw .idToken(.audience) }
        // OpenID Connect Core 3.1.3.7: with several audiences `azp` must be present; when present
        // it must be this client.
        if payload.aud.count > 1 || payload.azp != nil {
            guard payload.azp == clientID else { throw .idToken(.authorizedParty) }
        }
        guard let exp = payload.exp, let iat = payload.iat else { throw .idToken(.malformed) }
        let skew = Double(configuration.idTokenClockSkew.components.seconds)
        let nowSeconds = now.timeIntervalSince1970
        guard exp + skew > nowSeconds else { throw .idToken(.expired) }
        guard iat - skew <= nowSeconds else { throw .idToken(.issuedInFuture) }
        if let expectedNonce, payload.nonce != expectedNonce { throw .idToken(.nonce) }
        guard let subject = payload.sub, !subject.isEmpty else { throw .idToken(.subject) }
        return GoogleIDTokenClaims(
            subject: subject,
            email: payload.email,
            emailVerified: payload.emailVerified,
            name: payload.name,
            picture: payload.picture,
            hostedDomain: payload.hd,
            nonce: payload.nonce,
            issuer: issuer,
            audience: clientID,
            authorizedParty: payload.azp,
            issuedAt: Date(timeIntervalSince1970: iat),
            expiresAt: Date(timeIntervalSince1970: exp)
        )
    }
}
