import EmulatorSupport
import Synchronization

/// A native login with Kakao's SDK (KakaoTalk or the Kakao account on the phone): the app's
/// `client_id` is its native app key, and the tokens come straight to the app, which may then
/// post them to its own backend. `POST /_emulator/sdk-tokens` and ``KakaoEmulator/sdkLogin(appKey:userID:scope:nonce:)``.
extension EmulatorCore {
    /// Why an SDK login was refused: a KOE code and a sentence.
    struct SDKLoginFailure: Error {
        let code: String
        let message: String
    }

    /// Logs `userID` (nil: a fresh synthetic user) in to the app whose native app key (or REST
    /// API key) is `appKey` (nil: the first app), as if they agreed to `scope` (nil: every item
    /// of the app, and `openid` when its OIDC is on), and answers the token JSON the SDK gets:
    /// an id_token whose `aud` is the native app key, with `nonce`.
    func sdkLogin(appKey: String?, userID: Int64?, scope: String?, nonce: String?) -> Result<String, SDKLoginFailure> {
        let key = appKey ?? configuration.apps[0].nativeAppKey ?? configuration.apps[0].restAPIKey
        guard let app = configuration.apps.first(where: { $0.nativeAppKey == key || $0.restAPIKey == key }) else {
            return .failure(SDKLoginFailure(code: "KOE101", message: "Invalid app key: not a registered native app key or REST API key."))
        }
        let validated = AuthorizationRequest.validate(
            clientID: app.restAPIKey,
            redirectURI: app.redirectURIs.first,
            responseType: .none,
            scope: scope ?? (app.oidc ? "openid" : nil),
            state: nil,
            nonce: nonce,
            codeChallenge: nil,
            codeChallengeMethod: nil,
            prompt: nil,
            apps: appsByClientID
        )
        let request: AuthorizationRequest
        switch validated {
        case .success(let value): request = value
        case .failure(let failure): return .failure(SDKLoginFailure(code: failure.code, message: failure.message))
        }
        let user = userID ?? makeSyntheticUserID()
        let (accessToken, refreshToken) = (OpaqueTokenGenerator.make(length: 54), OpaqueTokenGenerator.make(length: 54))
        let now = self.now
        let granted = state.withLock {
            $0.sdkLogin(
                appID: app.appID,
                userID: user,
                scopes: Set(request.requestedItems.map(\.id)),
                openid: request.openid,
                nonce: nonce,
                newAccessToken: accessToken,
                newRefreshToken: refreshToken,
                now: now
            )
        }
        switch granted {
        case .success(let grant):
            do {
                return .success(try tokenAnswer(grant, audience: app.nativeAppKey ?? app.restAPIKey, now: now, withIDToken: grant.openid))
            } catch {
                return .failure(SDKLoginFailure(code: "KOE003", message: "The id_token could not be signed."))
            }
        case .failure:
            kakaoCounters.bump(\.rateLimited)
            return .failure(SDKLoginFailure(code: "KOE237", message: "token request rate limit exceeded"))
        }
    }
}
