import EmulatorSupport
import Hummingbird

/// `POST /_emulator/sdk-tokens`: the tokens Kakao's SDK hands a native app after the user logged
/// in (JSON: `client_id` — the app's native app key, or its REST API key; default the first
/// app's —, `user_id`, `scope`, `nonce`). Answers the token endpoint's JSON, with an id_token for
/// the native app key when the app's OIDC is on. Tokens of the default's second app
/// (`emulator-other-native-app-key`) are another app's: a backend of the first must refuse them.
extension KakaoControlRoutes {
    static let sdkTokensPath = "/_emulator/sdk-tokens"

    func sdkTokens(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await JSONBody.decode(CodeRequestBody.self, from: request), body.userID.map({ Int64($0) != nil }) ?? true else {
            return failure("the body must be a JSON object: client_id, user_id (a 64-bit integer), scope, nonce")
        }
        switch core.sdkLogin(appKey: body.clientID, userID: body.userID.flatMap { Int64($0) }, scope: body.scope, nonce: body.nonce) {
        case .success(let answer): return KakaoResponses.json(answer, noStore: true)
        case .failure(let refusal): return failure(refusal.message, code: refusal.code)
        }
    }
}
