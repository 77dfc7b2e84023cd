import Foundation

/// What a client gets for a session: an access token (ES256 JWT) and a refresh token, from a
/// delivered login or a refresh. Its description never shows a token.
public struct IssuedTokens: Sendable, Hashable, CustomStringConvertible {
    /// The session (the access token's `sid`).
    public let sessionID: UUID
    /// The user (the access token's `sub`).
    public let userID: UUID
    /// The signed access token.
    public let accessToken: String
    /// The access token's lifetime in whole seconds (`expires_in`).
    public let expiresIn: Int
    /// The refresh token to present next.
    public let refreshToken: String

    public var description: String { "IssuedTokens(sessionID: \(sessionID), userID: \(userID), expiresIn: \(expiresIn))" }
}
