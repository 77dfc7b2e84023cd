import OAuthClientSupport

/// `/v1/user/access_token_info`: whose token it is and how long it has left.
public struct KakaoAccessTokenInfo: Sendable, Hashable, Decodable {
    /// The user id.
    public let id: Int64
    /// Seconds the token has left.
    public let expiresIn: Int
    /// The app id, when present.
    public let appID: Int64?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let id = container.int64("id"), let expiresIn = container.lenient("expires_in", as: Int.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a token info answer"))
        }
        self.id = id
        self.expiresIn = expiresIn
        appID = container.int64("app_id")
    }
}

/// `{"id": …}`, the answer of logout and unlink.
struct KakaoUserIDAnswer: Decodable {
    let id: Int64

    init(from decoder: any Decoder) throws {
        guard let id = try decoder.container(keyedBy: AnyKey.self).int64("id") else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no id"))
        }
        self.id = id
    }
}
