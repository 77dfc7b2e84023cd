import OAuthClientSupport

/// The answer of a code exchange or a refresh. `description` shows no token.
public struct KakaoTokenResponse: Sendable, Hashable, JSONReadable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `bearer`.
    public let tokenType: String
    /// The opaque access token.
    public let accessToken: String
    /// Seconds the access token (and ID token) lives (21599 for a REST key).
    public let expiresIn: Int
    /// Always on a code exchange; on a refresh only when Kakao rotated it.
    public let refreshToken: String?
    /// Seconds the refresh token lives, when one is present (5183999).
    public let refreshTokenExpiresIn: Int?
    /// The OIDC ID token, when `openid` was granted and OIDC is on.
    public let idToken: String?
    /// The consent items granted, when Kakao says (often absent on refresh).
    public let scopes: [String]?

    package init?(json: JSONValue) {
        guard let accessToken = json["access_token"]?.string, !accessToken.isEmpty, let expiresIn = json["expires_in"]?.int else {
            return nil
        }
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        tokenType = json["token_type"]?.string ?? "bearer"
        refreshToken = json["refresh_token"]?.string
        refreshTokenExpiresIn = json["refresh_token_expires_in"]?.int
        idToken = json["id_token"]?.string
        scopes = json["scope"]?.string.map { $0.split(separator: " ").map(String.init) }
    }

    public var description: String {
        "KakaoTokenResponse(expiresIn: \(expiresIn), refreshToken: \(refreshToken == nil ? "absent" : "present"), idToken: \(idToken == nil ? "absent" : "present"), scopes: \(scopes ?? []))"
    }

    public var debugDescription: String { description }
}
