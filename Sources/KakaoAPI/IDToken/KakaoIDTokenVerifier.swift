import Base64Coding
import Foundation
import JWTKit

/// Verifies Kakao ID tokens: RS256 only (the header must say so and the key is pinned to it),
/// a `kid` from the JWKS at the configured auth URL, then `iss`, `aud`, `exp` (with skew),
/// `nonce` and `sub`.
struct KakaoIDTokenVerifier: Sendable {
    let configuration: KakaoClientConfiguration
    let cache: KakaoJWKSCache

    func verify(
        _ token: String,
        nonce expectedNonce: String?,
        fetch: @escaping KakaoJWKSCache.Fetch
    ) async throws(KakaoAPIError) -> KakaoIDTokenClaims {
        let header = try Self.header(of: token)
        guard header.alg == "RS256" else { throw .idToken(.algorithm) }
        guard let kid = header.kid, !kid.isEmpty else { throw .idToken(.unknownKey) }
        let keys = try await cache.keys(containing: kid, fetch: fetch)
        let payload: KakaoIDTokenPayload
        do {
            payload = try await keys.verify(token, as: KakaoIDTokenPayload.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .idToken(.signature)
        } catch {
            throw .idToken(.malformed)
        }
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

    private struct Header: Decodable {
        let alg: String?
        let kid: String?
    }

    /// The JOSE header, read before any key is chosen.
    private static func header(of token: String) throws(KakaoAPIError) -> Header {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw .idToken(.malformed) }
        guard let bytes = Base64URL.decode(segments[0]), let header = try? JSONDecoder().decode(Header.self, from: Data(bytes)) else {
            throw .idToken(.malformed)
        }
        return header
    }
}
