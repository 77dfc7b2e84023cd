import Foundation
import JWTKit

/// The claims of an app access token: an ES256 JWT with `kid` in its header.
public struct AccessTokenClaims: JWTPayload, Sendable, Equatable {
    /// Issuer (`LOGIN_JWT_ISSUER`).
    public var iss: IssuerClaim
    /// Audience (`LOGIN_JWT_AUDIENCE`).
    public var aud: AudienceClaim
    /// The user id.
    public var sub: SubjectClaim
    /// The session id; a revoked session makes the token useless at `/me`.
    public var sid: String
    /// A unique token id.
    public var jti: IDClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim

    public init(issuer: String, audience: String, userID: String, sessionID: String, issuedAt: Date, lifetime: TimeInterval) {
        self.iss = IssuerClaim(value: issuer)
        self.aud = AudienceClaim(value: audience)
        self.sub = SubjectClaim(value: userID)
        self.sid = sessionID
        self.jti = IDClaim(value: UUID().uuidString.lowercased())
        // JWT times are whole seconds.
        let issued = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        self.iat = IssuedAtClaim(value: issued)
        self.exp = ExpirationClaim(value: issued.addingTimeInterval(lifetime))
    }

    /// Checks expiry only; issuer and audience are checked by ``AccessTokenKeys/verify(_:)``.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
