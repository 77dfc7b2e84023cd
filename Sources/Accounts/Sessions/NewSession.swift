import Foundation

/// A session just created by ``Sessions/create(userID:provider:loginJobID:on:)``, with its
/// first refresh token. Its description never shows the token.
public struct NewSession: Sendable, Hashable, CustomStringConvertible {
    /// `sessions.id`: the access token's `sid`.
    public let sessionID: UUID
    /// The first refresh token (43 characters of base64url); stored only as its hash.
    public let refreshToken: String
    /// When the family ends, however often it is refreshed (database clock).
    public let expiresAt: Date

    public var description: String { "NewSession(sessionID: \(sessionID), expiresAt: \(expiresAt))" }
}
