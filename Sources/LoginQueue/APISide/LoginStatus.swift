import Accounts
import Foundation

/// What a read of a login answers (`GET /auth/kakao/login/{login_id}`).
public enum LoginStatus: Sendable {
    /// Queued or running.
    case pending
    /// Done; the user and, to the attempt that started it, a session's tokens.
    case succeeded(LoginSuccess)
    /// Done; `code` says why (DESIGN.md failure reasons), `providerError` is the provider's own
    /// error code, if any; `requiredScopes` the consent items to ask for again (with
    /// `consent_required`), if the provider named them.
    case failed(code: LoginFailureCode, providerError: String?, requiredScopes: [String]?)
}

/// A succeeded login as its reader sees it.
public struct LoginSuccess: Sendable {
    public let userID: UUID
    public let isNewUser: Bool
    /// A link (`"link": true`): the identity was linked to this signed-in user, who keeps their
    /// session; no tokens are delivered.
    public let linked: Bool
    public let user: UserRecord?
    /// The session's tokens: on the first read, and on reads within the delivery window after
    /// it; `nil` later (the status only).
    public let delivery: TokenDelivery?
}

/// A login's session tokens, delivered to its attempt.
public struct TokenDelivery: Sendable {
    /// A freshly signed access token and the session's first refresh token.
    public let tokens: IssuedTokens
    /// Whether this read created the session (the first read) or re-delivered it.
    public let isFirstDelivery: Bool
}
