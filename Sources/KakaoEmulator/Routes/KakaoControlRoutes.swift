import EmulatorSupport
import Foundation
import Hummingbird

/// The Kakao side of `/_emulator/*` (codes and stats; the shared ones are ``ControlRoutes``):
/// what tests, the demo and the benchmarks use to drive the emulator (loopback peers only).
struct KakaoControlRoutes {
    let core: EmulatorCore

    /// `POST /_emulator/codes`: a code as if the user had consented to everything asked.
    func codes(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await JSONBody.decode(CodeRequestBody.self, from: request), body.userID.map({ Int64($0) != nil }) ?? true else {
            return failure(
                "the body must be a JSON object: client_id, redirect_uri, user_id (a 64-bit integer), scope, code_challenge, nonce"
            )
        }
        let clientID = body.clientID ?? core.configuration.apps[0].restAPIKey
        let validated = AuthorizationRequest.validate(
            clientID: clientID,
            redirectURI: body.redirectURI ?? core.appsByClientID[clientID]?.redirectURIs.first,
            responseType: .none,
            scope: body.scope,
            state: nil,
            nonce: body.nonce,
            codeChallenge: body.codeChallenge,
            codeChallengeMethod: body.codeChallengeMethod ?? (body.codeChallenge == nil ? nil : "S256"),
            prompt: nil,
            apps: core.appsByClientID
        )
        let authorization: AuthorizationRequest
        switch validated {
        case .success(let value): authorization = value
        case .failure(let failure): return self.failure(failure.message, code: failure.code)
        }
        let userID = body.userID.flatMap { Int64($0) } ?? core.makeSyntheticUserID()
        let code = core.issueCode(for: authorization, userID: userID, grantedItems: Set(authorization.requestedItems.map(\.id)))
        var answer = JSONObjectWriter()
        answer.add("code", code)
        answer.add("user_id", userID)
        return KakaoResponses.json(answer.finish())
    }

    /// `GET /_emulator/stats`.
    func stats(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        KakaoResponses.json(core.stats.json)
    }

    func failure(_ message: String, code: String = "KOE001") -> Response {
        KakaoResponses.kauth(KauthError(status: 400, error: "invalid_request", code: code, description: message))
    }
}
