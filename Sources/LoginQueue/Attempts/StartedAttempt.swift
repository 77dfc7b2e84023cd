import Foundation

/// A new login attempt, as `POST /auth/kakao/start` answers it.
public struct StartedAttempt: Sendable {
    public let attemptID: UUID
    /// The URL the browser navigates to.
    public let authorizeURL: String
    /// The OAuth `state` in that URL.
    public let state: String
    /// The secret that binds the attempt to one browser (the cookie) or client (`attempt_token`).
    public let attemptToken: String
    /// The redirect URI the attempt was made for.
    public let redirectURI: String
    /// How long the attempt lives.
    public let lifetime: Duration
}
