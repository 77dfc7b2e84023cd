import OAuthClientSupport

/// The answer of a code exchange or a refresh. `description` shows no token.
public struct KakaoTokenResponse: Sendable, Hashable, Decodable, CustomStringConvertible, CustomDebugStringConvertible {
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

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let accessToken = container.lenient("access_token", as: String.self), !accessToken.isEmpty,
            let expiresIn = container.lenient("expires_in", as: Int.self)
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a token answer"))
        }
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        tokenType = container.lenient("token_type") ?? "bearer"
        refreshToken = container.lenient("refresh_token")
        refreshTokenExpiresIn = container.lenient("refresh_token_expires_in")
        idToken = container.lenient("id_token")
        scopes = container.lenient("scope", as: String.self).map { $0.split(separator: " ").map(String.init) }
    }

    public var description: String {
        "KakaoTokenResponse(expiresIn: \(expiresIn), refreshToken: \(refreshToken == nil ? "absent" : "present"), idToken: \(idToken == nil ? "absent" : "present"), scopes: \(scopes ?? []))"
    }

    public var debugDescription: String { description }
}
