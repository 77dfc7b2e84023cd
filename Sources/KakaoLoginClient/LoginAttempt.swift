import Foundation

/// A login attempt begun by ``LoginClient/startLogin(provider:redirectURI:scope:)``: where the user
/// consents, and the token that binds the later requests to it (sent as `X-Login-Attempt`).
public struct LoginAttempt: Sendable, Hashable {
    /// The provider of the attempt.
    public let provider: Components.Parameters.Provider
    /// The provider's consent page for this attempt; its redirect brings back `code` and `state`.
    public let authorizeURL: URL
    /// The attempt's `state`, which the redirect must bring back unchanged.
    public let state: String
    /// The attempt's binding for clients without cookies.
    public let attemptToken: String
    /// Seconds until the attempt expires (600).
    public let expiresIn: Int?
}
