import Accounts
import HTTPTypes
import LoginQueue
import Postgres

/// The only place where the modules' errors become HTTP statuses.
extension APIError {
    /// How long a client should wait after `database_unavailable` (seconds).
    static let databaseRetryAfterSeconds = 2

    /// A queue refusal. `internal_error` is the caller's to log; the queue already logged the
    /// database failure behind `database_unavailable`.
    init(_ error: LoginQueueError) {
        switch error.code {
        case .invalidCode:
            self.init(.badRequest, .invalidCode, "The code is missing, empty, too long or malformed.")
        case .invalidProviderToken:
            self.init(
                .badRequest,
                .invalidProviderToken,
                "The access token, id_token or nonce is missing, empty, too long or malformed."
            )
        case .invalidState:
            self.init(.badRequest, .invalidState, "The state does not match this login attempt.")
        case .stateRequired:
            self.init(.badRequest, .stateRequired, "A state from POST /auth/{provider}/start is required.")
        case .attemptNotFound:
            self.init(.badRequest, .attemptNotFound, "No login attempt is bound to this client; start the login again.")
        case .attemptExpired:
            self.init(.badRequest, .attemptExpired, "The login attempt expired; start the login again.")
        case .attemptAlreadyUsed:
            self.init(.badRequest, .attemptAlreadyUsed, "The login attempt was used for another code; start the login again.")
        case .redirectURINotAllowed:
            self.init(.badRequest, .redirectURINotAllowed, "The redirect URI is not allowed.")
        case .codeAlreadySubmitted:
            self.init(.conflict, .codeAlreadySubmitted, "The code was already submitted by another login attempt.")
        case .tooManyPendingAttempts:
            self.init(
                .tooManyRequests,
                .tooManyPendingAttempts,
                "Too many unfinished login attempts from this address.",
                headers: [.retryAfter: "60"]
            )
        case .providerUnavailable:
            self = .unavailable(
                .providerUnavailable,
                "The login provider cannot be reached right now; nothing was changed. Try again shortly.",
                retryAfterSeconds: 5
            )
        case .databaseUnavailable:
            self = .databaseUnavailable
        default:
            self = .internalError
        }
    }

    /// A refused token, or (``AccountsError/Code/noSigningKeys`` and the other configuration
    /// codes) an internal error.
    init(_ error: AccountsError) {
        switch error.code {
        case .invalidAccessToken:
            self.init(
                .unauthorized,
                .invalidAccessToken,
                "The access token is missing, malformed, expired or not ours.",
                headers: Self.bearerChallenge
            )
        case .sessionRevoked:
            self.init(.unauthorized, .sessionRevoked, "The session was revoked.", headers: Self.bearerChallenge)
        case .sessionExpired:
            self.init(.unauthorized, .sessionExpired, "The session expired; log in again.", headers: Self.bearerChallenge)
        case .invalidRefreshToken:
            self.init(.unauthorized, .invalidRefreshToken, "The refresh token is not valid.")
        case .refreshTokenReused:
            self.init(
                .unauthorized,
                .refreshTokenReused,
                "The refresh token was already used; the session is revoked. Log in again."
            )
        default:
            self = .internalError
        }
    }

    /// `database_unavailable` for connection trouble (the pool could not connect or timed out),
    /// `internal_error` for anything else.
    init(_ error: PostgresError) {
        self = error.isUnavailable ? .databaseUnavailable : .internalError
    }

    /// Any error thrown below a handler, or `nil` when it is none of the known kinds.
    static func mapped(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: error
        case let error as LoginQueueError: APIError(error)
        case let error as AccountsError: APIError(error)
        case let error as PostgresError: APIError(error)
        default: nil
        }
    }

    static let databaseUnavailable = APIError.unavailable(
        .databaseUnavailable,
        "The database is unavailable; nothing was changed. Try again shortly.",
        retryAfterSeconds: databaseRetryAfterSeconds
    )

    /// RFC 6750's challenge for a refused Bearer token.
    static let bearerChallenge: HTTPFields = [.wwwAuthenticate: #"Bearer error="invalid_token""#]
}
