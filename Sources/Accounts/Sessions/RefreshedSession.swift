import Foundation

/// The answer to ``Sessions/refresh(_:)``: whom to sign a new access token for, and the
/// refresh token that replaces the presented one. Its description never shows the token.
public struct RefreshedSession: Sendable, Hashable, CustomStringConvertible {
    /// `sessions.id`: the access token's `sid`.
    public let sessionID: UUID
    /// `users.id`: the access token's `sub`.
    public let userID: UUID
    /// The child of the presented token; the same child when the presented token is replayed
    /// within the grace window.
    public let refreshToken: String
    /// When the family ends (database clock).
    public let expiresAt: Date

    public var description: String {
        "RefreshedSession(sessionID: \(sessionID), userID: \(userID), expiresAt: \(expiresAt))"
    }
}
