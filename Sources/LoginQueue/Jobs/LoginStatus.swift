import Accounts
import Foundation

/// What a read of a login answers (`GET /auth/kakao/login/{login_id}`).
public enum LoginStatus: Sendable {
    /// Queued or running.
    case pending
    /// Done; the user and, to the attempt that started it, a session's tokens.
    case succeeded(LoginSuccess)
    /// Done; `code` says why (DESIGN.md failure reasons), `providerError` is Kakao's code if any.
    case failed(code: LoginFailureCode, providerError: String?)
}

/// A succeeded login as its reader sees it.
public struct LoginSuccess: Sendable {
    public let userID: UUID
    public let isNewUser: Bool
    public let user: UserRecord?
    /// The session and its refresh token: on the first read, and on reads within the delivery
    /// window after it; `nil` later (the status only).
    public let delivery: TokenDelivery?
}

/// The session minted for a login, delivered to its attempt. The access token is signed by the
/// caller for ``sessionID``.
public struct TokenDelivery: Sendable {
    public let sessionID: UUID
    public let refreshToken: String
    /// Whether this read minted the session (the first read) or re-delivered it.
    public let isFirstDelivery: Bool
}
