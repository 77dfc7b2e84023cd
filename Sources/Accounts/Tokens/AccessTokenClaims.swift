import Foundation
import JWTKit

/// The claims of an app access token: an ES256 JWT with `kid` in its header.
public struct AccessTokenClaims: JWTPayload, Sendable, Equatable {
    /// Issuer (`LOGIN_JWT_ISSUER`).
    public var iss: IssuerClaim
    /// Audience (`LOGIN_JWT_AUDIENCE`).
    public var aud: AudienceClaim
    /// The user id (lowercase UUID).
    public var sub: SubjectClaim
    /// The session id (lowercase UUID); a revoked session makes the token useless at `/me`.
    public var sid: String
    /// A unique token id.
    public var jti: IDClaim
    /// When the token was signed (whole seconds).
    public var iat: IssuedAtClaim
    /// When the token expires (whole seconds).
    public var exp: ExpirationClaim

    /// Claims for a user's session, valid from `issuedAt` (rounded down to a whole second) for
    /// `lifetime`, with a fresh random `jti`.
    public init(issuer: String, audience: String, userID: UUID, sessionID: UUID, issuedAt: Date, lifetime: TimeInterval) {
        self.iss = IssuerClaim(value: issuer)
        self.aud = AudienceClaim(value: audience)
        self.sub = SubjectClaim(value: userID.uuidString.lowercased())
        self.sid = sessionID.uuidString.lowercased()
        self.jti = IDClaim(value: UUID().uuidString.lowercased())
        // JWT times are whole seconds.
        let issued = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        self.iat = IssuedAtClaim(value: issued)
        self.exp = ExpirationClaim(value: issued.addingTimeInterval(lifetime))
    }

    /// `sub` as a user id; nil when it is not a UUID.
    public var userID: UUID? { UUID(uuidString: sub.value) }

    /// `sid` as a session id; nil when it is not a UUID.
    public var sessionID: UUID? { UUID(uuidString: sid) }

    /// Checks expiry only; the algorithm, key, issuer and audience are checked by
    /// ``AccessTokenKeys/verify(_:)``.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
