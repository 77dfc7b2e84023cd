import Postgres

/// Why a session (and its whole refresh family) was revoked: `sessions.revoked_reason`.
public enum SessionRevocationReason: String, Sendable, Hashable, CaseIterable, PostgresEncodable {
    /// `POST /auth/logout` with one of the session's refresh tokens.
    case logout
    /// A rotated refresh token was presented after the grace window.
    case refreshTokenReuse = "refresh_token_reuse"
    /// An operator (`kakao-login sessions revoke`).
    case admin
    /// The account was deleted.
    case userDeleted = "user_deleted"
    /// The provider said the user disconnected the app (Kakao's unlink callback).
    case providerUnlinked = "provider_unlinked"
}
