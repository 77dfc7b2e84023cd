import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one error type of the HTTP API: a status, a stable ``Code`` (the body's `error.code`), a
/// short message for developers and the headers that go with it (`Retry-After`, `Allow`,
/// `WWW-Authenticate`).
///
/// The body is the contract's envelope, `{"error": {"code": "…", "message": "…"}}`. A message
/// never carries a code, a token, a state, a row value or text from a provider. The errors of
/// the modules below (`LoginQueueError`, `AccountsError`, `PostgresError`) become an `APIError`
/// only here, at the edge (``APIError/init(_:)-LoginQueueError`` and friends).
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// A stable code a frontend may branch on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        // Request shape.
        /// The body is not JSON, misses a member or has one of the wrong type; or a query
        /// parameter is out of range.
        public static let invalidRequest = Code("invalid_request")
        /// A POST whose body is not `application/json`.
        public static let unsupportedMediaType = Code("unsupported_media_type")
        /// A body larger than ``LoginAPIConfiguration/maxBodyBytes``.
        public static let payloadTooLarge = Code("payload_too_large")
        /// No such route, no such login, or not this reader's login (indistinguishable).
        public static let notFound = Code("not_found")
        /// A known path with another method; `Allow` lists the methods.
        public static let methodNotAllowed = Code("method_not_allowed")
        /// A cookie-bound POST from an `Origin` that is neither this server's nor allowed.
        public static let originNotAllowed = Code("origin_not_allowed")

        // Logins (the queue's codes, kept as they are).
        public static let invalidCode = Code("invalid_code")
        public static let invalidState = Code("invalid_state")
        /// `POST /auth/kakao/token` with an access token, id_token or nonce of the wrong shape.
        public static let invalidProviderToken = Code("invalid_provider_token")
        public static let stateRequired = Code("state_required")
        public static let attemptNotFound = Code("attempt_not_found")
        public static let attemptExpired = Code("attempt_expired")
        public static let attemptAlreadyUsed = Code("attempt_already_used")
        public static let redirectURINotAllowed = Code("redirect_uri_not_allowed")
        public static let codeAlreadySubmitted = Code("code_already_submitted")
        public static let tooManyPendingAttempts = Code("too_many_pending_attempts")
        /// The provider could not be asked where its login page is; nothing was written.
        public static let providerUnavailable = Code("provider_unavailable")
        /// Unlinking the account's only linked provider.
        public static let lastIdentity = Code("last_identity")

        // Tokens (the accounts module's codes, kept as they are).
        public static let invalidAccessToken = Code("invalid_access_token")
        public static let invalidRefreshToken = Code("invalid_refresh_token")
        public static let refreshTokenReused = Code("refresh_token_reused")
        public static let sessionRevoked = Code("session_revoked")
        public static let sessionExpired = Code("session_expired")
        /// The unlink callback's `Authorization` is not `KakaoAK <admin key>`.
        public static let invalidCallbackKey = Code("invalid_callback_key")

        // Load and availability.
        /// Over a per-client-IP rate limit; `Retry-After` says when to come back.
        public static let rateLimited = Code("rate_limited")
        /// More than `LOGIN_QUEUE_MAX_DEPTH` jobs wait; nothing was written.
        public static let queueFull = Code("queue_full")
        /// PostgreSQL cannot be reached; nothing was written.
        public static let databaseUnavailable = Code("database_unavailable")
        /// Anything else; details only in the logs, under the request id.
        public static let internalError = Code("internal_error")

        public var description: String { rawValue }
    }

    public let status: HTTPResponse.Status
    public let code: Code
    /// A short English sentence; never a secret or a row value.
    public let message: String
    /// Headers the answer carries besides `Content-Type`.
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: Code, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "APIError(\(status.code) \(code))" }

    /// The envelope as JSON, with `Cache-Control: no-store` (an error can concern a token).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The envelope as JSON, for middleware that answers without a request context.
    func response() -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        let body = ErrorEnvelope(error: .init(code: code.rawValue, message: message, providerError: nil))
        return Response(status: status, headers: fields, body: .init(byteBuffer: JSONBody.encode(body)))
    }
}

extension APIError {
    /// `404 not_found`, the same for every kind of "not here".
    static let notFound = APIError(.notFound, .notFound, "Not found.")

    static func invalidRequest(_ message: String) -> APIError {
        APIError(.badRequest, .invalidRequest, message)
    }

    /// `503` with `Retry-After`.
    static func unavailable(_ code: Code, _ message: String, retryAfterSeconds: Int) -> APIError {
        APIError(.serviceUnavailable, code, message, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    static func rateLimited(retryAfterSeconds: Int) -> APIError {
        APIError(
            .tooManyRequests,
            .rateLimited,
            "Too many requests from this address. Try again later.",
            headers: [.retryAfter: String(retryAfterSeconds)]
        )
    }

    static let internalError = APIError(.internalServerError, .internalError, "Internal error. Try again later.")
}

/// `{"error": {"code", "message", "provider_error"?}}`: HTTP errors and failed logins alike.
struct ErrorEnvelope: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
        let providerError: String?
        /// With `consent_required`: the consent items to ask for (`"scope"` of start).
        var requiredScopes: [String]? = nil

        enum CodingKeys: String, CodingKey {
            case code, message
            case providerError = "provider_error"
            case requiredScopes = "required_scopes"
        }
    }

    let error: Detail
}
