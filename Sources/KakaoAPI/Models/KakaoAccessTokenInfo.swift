import OAuthClientSupport

/// `/v1/user/access_token_info`: whose token it is and how long it has left.
public struct KakaoAccessTokenInfo: Sendable, Hashable, JSONReadable {
    /// The user id.
    public let id: Int64
    /// Seconds the token has left.
    public let expiresIn: Int
    /// The app id, when present.
    public let appID: Int64?

    package init?(json: JSONValue) {
        guard let id = json["id"]?.id64, let expiresIn = json["expires_in"]?.int else {
            return nil
        }
        self.id = id
        self.expiresIn = expiresIn
        appID = json["app_id"]?.id64
    }
}

/// `{"id": …}`, the answer of logout and unlink.
struct KakaoUserIDAnswer: JSONReadable {
    let id: Int64

    init?(json: JSONValue) {
        guard let id = json["id"]?.id64 else { return nil }
        self.id = id
    }
}
