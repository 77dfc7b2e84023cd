import Foundation
import OAuthClientSupport

/// Verifies Kakao ID tokens: RS256 only (the header must say so and the key is pinned to it),
/// a `kid` from the JWKS at the configured auth URL, then `iss`, `aud`, `exp` (with skew),
/// `nonce` and `sub`.
struct KakaoIDTokenVerifier: Sendable {
    let configuration: KakaoClientConfiguration
    let cache: JWKSCache<KakaoAPIError>

    func verify(
        _ token: String,
        nonce expectedNonce: String?,
        fetch: @escaping JWKSCache<KakaoAPIError>.Fetch
    ) async throws(KakaoAPIError) -> KakaoIDTokenClaims {
        typealias IDTokenCheck = KakaoAPIError.IDTokenCheck
        let payload = try await cache.verifiedPayload(
            of: token,
            as: KakaoIDTokenPayload.self,
            reject: { .idToken(IDTokenCheck(rawValue: $0.rawValue) ?? .malformed) },
            fetch: fetch
        )
        guard payload.iss == configuration.idTokenIssuer else { throw .idToken(.issuer) }
        let audiences = Set([configuration.restAPIKey] + configuration.additionalIDTokenAudiences)
        guard !payload.aud.isEmpty, payload.aud.allSatisfy(audiences.contains) else { throw .idToken(.audience) }
        let skew = Double(configuration.idTokenClockSkew.components.seconds)
        guard let exp = payload.exp, exp + skew > Date().timeIntervalSince1970 else { throw .idToken(.expired) }
        if let expectedNonce, payload.nonce != expectedNonce { throw .idToken(.nonce) }
        guard let subject = payload.sub, !subject.isEmpty else { throw .idToken(.subject) }
        return KakaoIDTokenClaims(
            issuer: configuration.idTokenIssuer,
            audiences: payload.aud,
            subject: subject,
            issuedAt: Date(timeIntervalSince1970: payload.iat ?? exp),
            expiresAt: Date(timeIntervalSince1970: exp),
            authTime: payload.authTime.map(Date.init(timeIntervalSince1970:)),
            nonce: payload.nonce,
            nickname: payload.nickname,
            picture: payload.picture,
            email: payload.email
        )
    }
}
