import Accounts
import Foundation

// The JSON bodies of the HTTP contract (DESIGN.md, "HTTP API"; openapi.yaml). Members are
// optional where a missing one has its own error code rather than `invalid_request`.

/// `POST /auth/{provider}/start`; `link: true` (with a Bearer token) links the provider's
/// identity to the signed-in user instead of signing in; `scope` asks for more consent items.
struct StartRequest: Decodable {
    let redirectURI: String?
    let link: Bool?
    let scope: [String]?
    enum CodingKeys: String, CodingKey {
        case redirectURI = "redirect_uri"
        case link, scope
    }

    /// The consent items `scope` asks for, each once: `400 invalid_request` unless every one is
    /// a scope id (``ConsentScopes``) and there are at most ``ConsentScopes/maximumCount``, or
    /// when the provider asks for no items beyond its own (`allowed` false: Google).
    func additionalScopes(allowed: Bool) throws -> [String] {
        guard let scope, !scope.isEmpty else { return [] }
        guard allowed else {
            throw APIError.invalidRequest("This provider's sign-in asks for its own scopes only; \"scope\" is not accepted.")
        }
        guard scope.count <= ConsentScopes.maximumCount, scope.allSatisfy(ConsentScopes.isValid) else {
            throw APIError.invalidRequest(
                "\"scope\" must be up to \(ConsentScopes.maximumCount) consent item ids of a-z, 0-9 and _ (at most \(ConsentScopes.maximumLength) characters)."
            )
        }
        return scope.reduce(into: []) { kept, item in if !kept.contains(item) { kept.append(item) } }
    }
}

/// `200` of `POST /auth/kakao/start`.
struct StartResponse: Encodable {
    let authorizeURL: String
    let state: String
    let attemptToken: String
    let expiresIn: Int
    enum CodingKeys: String, CodingKey {
        case authorizeURL = "authorize_url"
        case state
        case attemptToken = "attempt_token"
        case expiresIn = "expires_in"
    }
}

/// `POST /auth/kakao/login`. A missing code is `invalid_code`, a missing state depends on the
/// flow, so both are optional here.
struct LoginRequest: Decodable {
    let code: String?
    let state: String?
    let redirectURI: String?
    enum CodingKeys: String, CodingKey {
        case code, state
        case redirectURI = "redirect_uri"
    }
}

/// `POST /auth/kakao/token`: what a native app got from Kakao's SDK. A missing access token is
/// `invalid_provider_token`, like a malformed one, so it is optional here.
struct AppTokenRequest: Decodable {
    let accessToken: String?
    let idToken: String?
    let nonce: String?
    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case idToken = "id_token"
        case nonce
    }
}

/// `202` of `POST /auth/kakao/login` and `POST /auth/kakao/token`.
struct LoginAccepted: Encodable {
    let loginID: UUID
    let status = "pending"
    let pollToken: String?
    enum CodingKeys: String, CodingKey {
        case loginID = "login_id"
        case status
        case pollToken = "poll_token"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(loginID.uuidString.lowercased(), forKey: .loginID)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(pollToken, forKey: .pollToken)
    }
}

/// `200` of `GET /auth/kakao/login/{login_id}`: `pending`, `succeeded` (with the user and the
/// tokens while they are delivered, else the status only) or `failed`.
enum LoginResult: Encodable {
    case pending
    case succeeded(isNewUser: Bool, user: UserRecord?, tokens: TokenPair)
    case succeededStatusOnly
    /// A link succeeded: the identity belongs to `user` now; the client keeps its session.
    case linked(user: UserRecord?)
    case failed(ErrorEnvelope.Detail)

    enum CodingKeys: String, CodingKey {
        case status
        case isNewUser = "is_new_user"
        case linked
        case user
        case error
    }

    /// `pending`, `succeeded` or `failed`.
    var status: String {
        switch self {
        case .pending: "pending"
        case .succeeded, .succeededStatusOnly, .linked: "succeeded"
        case .failed: "failed"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        switch self {
        case .pending, .succeededStatusOnly:
            break
        case .succeeded(let isNewUser, let user, let tokens):
            try container.encode(isNewUser, forKey: .isNewUser)
            try container.encodeIfPresent(user, forKey: .user)
            try tokens.encode(to: encoder)
        case .linked(let user):
            try container.encode(true, forKey: .linked)
            try container.encode(false, forKey: .isNewUser)
            try container.encodeIfPresent(user, forKey: .user)
        case .failed(let detail):
            try container.encode(detail, forKey: .error)
        }
    }
}

/// An access token and its refresh token: in a succeeded login and from a refresh.
struct TokenPair: Encodable {
    let accessToken: String
    let tokenType = "Bearer"
    let expiresIn: Int
    let refreshToken: String

    /// The client's view of a session's tokens.
    init(_ tokens: IssuedTokens) {
        self.accessToken = tokens.accessToken
        self.expiresIn = tokens.expiresIn
        self.refreshToken = tokens.refreshToken
    }
    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }
}

/// `GET /me`: the user, and the providers linked to them (the routes' names: `kakao`, `google`).
struct MeResponse: Encodable {
    let user: UserRecord
    let providers: [String]

    enum CodingKeys: String, CodingKey { case providers }

    func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(providers, forKey: .providers)
    }
}

/// `GET /me/identities`.
struct IdentityList: Encodable {
    struct Entry: Encodable {
        let provider: String
        let email: String?
        let emailVerified: Bool
        let linkedAt: String
        let lastLoginAt: String

        init(_ identity: IdentitySummary, route: String) {
            provider = route
            email = identity.email
            emailVerified = identity.emailVerified
            linkedAt = identity.linkedAt.formatted(Self.timestamp)
            lastLoginAt = identity.lastLoginAt.formatted(Self.timestamp)
        }

        private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

        enum CodingKeys: String, CodingKey {
            case provider, email
            case emailVerified = "email_verified"
            case linkedAt = "linked_at"
            case lastLoginAt = "last_login_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(provider, forKey: .provider)
            try container.encode(email, forKey: .email)
            try container.encode(emailVerified, forKey: .emailVerified)
            try container.encode(linkedAt, forKey: .linkedAt)
            try container.encode(lastLoginAt, forKey: .lastLoginAt)
        }
    }

    let identities: [Entry]
}

/// `GET /auth/providers`: the providers this API serves, as the segments of their routes.
struct ProviderList: Encodable {
    let providers: [String]
}

/// `POST /auth/token/refresh` and `POST /auth/logout`.
struct RefreshTokenRequest: Decodable {
    let refreshToken: String
    enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
}

/// `GET /healthz`.
struct HealthResponse: Encodable {
    let status = "ok"
}

/// `GET /readyz`: `ready` when every check is `ok`.
struct ReadinessResponse: Encodable {
    let status: String
    let checks: [String: String]

    init(database: Bool, listener: Bool) {
        checks = ["database": database ? "ok" : "failing", "listener": listener ? "ok" : "failing"]
        status = database && listener ? "ready" : "not_ready"
    }
}
