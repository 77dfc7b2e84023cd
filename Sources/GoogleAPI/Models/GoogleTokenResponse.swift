import OAuthClientSupport

/// The answer of a code exchange or a refresh. `description` shows no token.
public struct GoogleTokenResponse: Sendable, Hashable, JSONReadable, CustomStringConvertible, CustomDebugStringConvertible {
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

    package init?(json: JSONValue) {
        guard let accessToken = json["access_token"]?.string, !accessToken.isEmpty else { return nil }
        self.accessToken = accessToken
        expiresIn = json["expires_in"]?.int ?? json["expires_in"]?.string.flatMap { Int($0) }
        idToken = json["id_token"]?.string
        refreshToken = json["refresh_token"]?.string
        scope = json["scope"]?.string
        tokenType = json["token_type"]?.string
    }

    public var description: String {
        "GoogleTokenResponse(expiresIn: \(expiresIn.map(String.init) ?? "absent"), refreshToken: \(refreshToken == nil ? "absent" : "present"), idToken: \(idToken == nil ? "absent" : "present"), scope: \(scope ?? "absent"))"
    }

    public var debugDescription: String { description }
}
