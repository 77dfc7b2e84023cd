import Foundation

/// The tokens Kakao's SDK hands a native app (``KakaoEmulator/sdkLogin(appKey:userID:scope:nonce:)``).
public struct SDKTokens: Sendable, Hashable {
    public let accessToken: String
    public let refreshToken: String?
    /// With `openid` (the app's OIDC on): `aud` is the app's native app key.
    public let idToken: String?

    /// Reads the token answer's JSON.
    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let accessToken = object["access_token"] as? String
        else { return nil }
        self.accessToken = accessToken
        refreshToken = object["refresh_token"] as? String
        idToken = object["id_token"] as? String
    }
}
