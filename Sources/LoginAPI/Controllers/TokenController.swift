import Accounts
import Hummingbird
import Logging

/// `/auth/token/refresh` and `/auth/logout`: rotate a refresh token (with a new access token),
/// or revoke its session.
struct TokenController: Sendable {
    let sessions: Sessions

    // MARK: - POST /auth/token/refresh

    func refresh(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(RefreshTokenRequest.self, from: request)
        let refreshed = try await sessions.refresh(body.refreshToken)
        context.logger.info("authn_token_created", metadata: ["session.id": "\(refreshed.sessionID)"])
        return JSONBody.response(TokenPair(refreshed))
    }

    // MARK: - POST /auth/logout

    func logout(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(RefreshTokenRequest.self, from: request)
        try await sessions.logout(refreshToken: body.refreshToken)
        return Response(status: .noContent)
    }
}
