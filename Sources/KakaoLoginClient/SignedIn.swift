/// The app tokens of a succeeded login, and who signed in.
public struct SignedIn: Sendable, Hashable {
    /// The user (signup and login are one flow: see ``isNewUser``).
    public let user: Components.Schemas.UserFields
    /// Whether this login created the user.
    public let isNewUser: Bool
    /// An ES256 JWT for `Authorization: Bearer`.
    public let accessToken: String
    /// Seconds until the access token expires (900).
    public let expiresIn: Int
    /// The opaque refresh token (rotated by every refresh).
    public let refreshToken: String
}
