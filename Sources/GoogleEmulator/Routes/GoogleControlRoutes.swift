import EmulatorSupport
import Hummingbird

/// The Google side of `/_emulator/*` (codes and stats; the shared ones are ``ControlRoutes``):
/// what tests, the demo and the benchmarks use to drive the emulator (loopback peers only).
struct GoogleControlRoutes {
    let core: GoogleCore

    /// `POST /_emulator/codes`: a code as if the user had answered the authorization request
    /// (`user_id` is a `sub`; unknown ones become synthetic users, none is a fresh one).
    func codes(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await JSONBody.decode(CodeRequestBody.self, from: request) else {
            return GoogleResponses.oauth(
                .invalidRequest(
                    "the body must be a JSON object: client_id, redirect_uri, user_id (a sub string), scope, code_challenge, code_challenge_method, nonce, access_type, prompt"
                )
            )
        }
        switch core.mintCode(body) {
        case .success(let (code, sub)):
            var answer = JSONObjectWriter()
            answer.add("code", code)
            answer.add("user_id", sub)
            return GoogleResponses.json(answer.finish())
        case .failure(let failure):
            return GoogleResponses.oauth(OAuthError(status: 400, error: failure.error, description: failure.message))
        }
    }

    /// `GET /_emulator/stats`.
    func stats(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        GoogleResponses.json(core.stats.json)
    }
}
