import Accounts
import Foundation
import Hummingbird

/// A user's own sessions: `GET /me/sessions`, `DELETE /me/sessions/{session_id}` and
/// `POST /auth/logout-all`. Each needs a valid access token of an active session; a revoked
/// session's access tokens are refused at once (``Sessions/activeUser(for:)``) and its refresh
/// family is dead.
struct SessionController: Sendable {
    let sessions: Sessions
    let userSessions: UserSessions
    /// Stored provider names and the routes' segments they are served under.
    let providerNames: ProviderNames

    /// `GET /me/sessions`: the active sessions, the request's own marked `current`.
    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (user, currentID) = try await authorized(request)
        let active = try await userSessions.active(userID: user.id)
        return JSONBody.response(
            SessionList(
                sessions: active.map { SessionList.Entry($0, route: providerNames.route(of: $0.provider), current: $0.id == currentID) }
            )
        )
    }

    /// `DELETE /me/sessions/{session_id}`: `204`; `404 not_found` for an id that is not one of
    /// this user's active sessions (another user's, unknown, already ended): nothing changed.
    func revoke(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (user, _) = try await authorized(request)
        guard let sessionID = context.parameters.get("session_id").flatMap(UUID.init(uuidString:)),
            try await userSessions.revoke(sessionID: sessionID, userID: user.id, reason: .logout)
        else { throw APIError.notFound }
        return Response(status: .noContent)
    }

    /// `POST /auth/logout-all`: `204`; every active session of the user ends, this one included.
    func logoutAll(_ request: Request, context: APIRequestContext) async throws -> Response {
        let (user, _) = try await authorized(request)
        try await userSessions.revokeAll(userID: user.id, reason: .logout)
        return Response(status: .noContent)
    }

    private func authorized(_ request: Request) async throws -> (user: UserRecord, sessionID: UUID) {
        guard let token = UserController.bearerToken(request) else { throw AccountsError(.invalidAccessToken) }
        return try await sessions.session(authorizedBy: token)
    }
}
