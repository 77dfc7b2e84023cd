import EmulatorSupport
import Hummingbird
import Synchronization

/// `POST /revoke` (and the legacy `GET|POST /o/oauth2/revoke`): `token` (access or refresh) in
/// the query or the form body, no client authentication; revoking one token revokes the grant.
struct RevokeRoutes {
    let core: GoogleCore

    func revoke(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        let token: String?
        switch await GoogleForm.read(request, includeBody: request.method == .post) {
        case .success(let form):
            do {
                token = try form.single("token")
            } catch {
                return GoogleForm.answer(error)
            }
        case .failure(let failure): return failure.response
        }
        guard let token, !token.isEmpty else { return GoogleResponses.oauth(.invalidRequest("Missing required parameter: token")) }
        guard token.utf8.count <= 4096, let sub = core.state.withLock({ $0.revoke(token: token) }) else {
            return GoogleResponses.oauth(.tokenExpiredOrRevoked)
        }
        context.attribution.attribute(to: sub)
        core.googleCounters.bump(\.revocations)
        return switch core.configuration.uncertain.revokeBody {
        case .empty: GoogleResponses.json("")
        case .emptyObject: GoogleResponses.json("{}")
        }
    }
}
