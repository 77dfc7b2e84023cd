import EmulatorSupport
import Foundation
import Hummingbird

/// The Kakao side of `/_emulator/*` (codes and stats; the shared ones are ``ControlRoutes``):
/// what tests, the demo and the benchmarks use to drive the emulator (loopback peers only).
struct KakaoControlRoutes {
    let core: EmulatorCore

    /// The body of `POST /_emulator/codes`; every member optional.
    private struct CodeRequest: Decodable {
        var clientID: String?
        var redirectURI: String?
        var userID: UserID?
        var scope: String?
        var codeChallenge: String?
        var codeChallengeMethod: String?
        var nonce: String?

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case redirectURI = "redirect_uri"
            case userID = "user_id"
            case scope
            case codeChallenge = "code_challenge"
            case codeChallengeMethod = "code_challenge_method"
            case nonce
        }
    }

    /// A user id given as a JSON integer or a string of digits, exact to 64 bits.
    private struct UserID: Decodable {
        let value: Int64
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                value = number
            } else if let number = Int64(try container.decode(String.self)) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 64-bit integer")
            }
        }
    }

    /// `POST /_emulator/codes`: a code as if the user had consented to everything asked.
    func codes(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await JSONBody.decode(CodeRequest.self, from: request) else {
            return failure("the body must be a JSON object: client_id, redirect_uri, user_id, scope, code_challenge, nonce")
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
        let userID = body.userID?.value ?? core.makeSyntheticUserID()
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

    private func failure(_ message: String, code: String = "KOE001") -> Response {
        KakaoResponses.kauth(KauthError(status: 400, error: "invalid_request", code: code, description: message))
    }
}
