/// The first refresh token of a session about to be created: made before the statement that
/// may create the session (``Sessions/creationExpressions(_:userID:provider:loginJobID:for:)``),
/// so the caller holds the text while only its hash reaches the database.
public struct SessionToken: Sendable, CustomStringConvertible {
    private let token: RefreshToken

    /// A new random token.
    public init() {
        token = .random()
    }

    /// The token's text (43 characters of base64url), for the client.
    public var refreshToken: String { token.text }

    /// What is stored: SHA-256 of the text.
    var hash: [UInt8] { token.hash }

    public var description: String { "SessionToken(…)" }
}
