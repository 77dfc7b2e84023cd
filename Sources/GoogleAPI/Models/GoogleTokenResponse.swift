import OAuthClientSupport

/// The answer of a code exchange or a refresh. `description` shows no token.
public struct GoogleTokenResponse: Sendable, Hashable, Decodable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The opaque access token (`ya29.…`).
    public let accessToken: String
    /// Seconds the access token lives (3599).
    public let expiresIn: Int?
    /// The ID token, when `openid` was granted.
    public let idToken: String?
    /// Only on an exchange after a consent screen with `access_type=offline`; never on a refresh
    /// (Google does not rotate refresh tokens: keep the first one).
    public let refreshToken: String?
    /// The granted scopes, space-separated, as full URLs plus `openid` (not the short names sent).
    public let scope: String?
    /// `Bearer`.
    public let tokenType: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let accessToken = container.lenient("access_token", as: String.self), !accessToken.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a token answer"))
        }
        self.accessToken = accessToken
        expiresIn = container.lenient("expires_in", as: Int.self) ?? container.lenient("expires_in", as: String.self).flatMap { Int($0) }
        idToken = container.lenient("id_token")
        refreshToken = container.lenient("refresh_token")
        scope = container.lenient("scope")
        tokenType = container.lenient("token_type")
    }

    public var description: String {
        "GoogleTokenResponse(expiresIn: \(expiresIn.map(String.init) ?? "absent"), refreshToken: \(refreshToken == nil ? "absent" : "present"), idToken: \(idToken == nil ? "absent" : "present"), scope: \(scope ?? "absent"))"
    }

    public var debugDescription: String { description }
}
