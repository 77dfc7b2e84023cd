import Accounts
import Foundation
import HTTPTypes
import Hummingbird

/// `/me`: the user of a valid access token whose session is still active, their linked
/// identities, and unlinking one of them.
struct UserController: Sendable {
    let sessions: Sessions
    let identities: UserIdentities
    /// Stored provider names and the routes' segments they are served under.
    let providerNames: ProviderNames

    /// `GET /me`: the user, with the providers linked to them.
    func me(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try await authorizedUser(request)
        let linked = try await identities.list(userID: user.id)
        return JSONBody.response(MeResponse(user: user, providers: linked.map { providerNames.route(of: $0.provider) }))
    }

    /// `GET /me/identities`.
    func listIdentities(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try await authorizedUser(request)
        let linked = try await identities.list(userID: user.id)
        return JSONBody.response(
            IdentityList(identities: linked.map { IdentityList.Entry($0, route: providerNames.route(of: $0.provider)) })
        )
    }

    /// `DELETE /me/identities/{provider}`: `204`; `404 not_found` for a provider the user has
    /// not linked (or that this API does not serve); `409 last_identity` for their only one.
    func unlinkIdentity(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try await authorizedUser(request)
        guard let route = context.parameters.get("provider"), let provider = providerNames.name(ofRoute: route) else {
            throw APIError.notFound
        }
        switch try await identities.unlink(provider: provider, userID: user.id) {
        case .unlinked:
            return Response(status: .noContent)
        case .notFound:
            throw APIError.notFound
        case .lastIdentity:
            throw APIError(.conflict, .lastIdentity, "This is the account's only linked provider; link another before unlinking it.")
        }
    }

    private func authorizedUser(_ request: Request) async throws -> UserRecord {
        guard let token = Self.bearerToken(request) else { throw AccountsError(.invalidAccessToken) }
        return try await sessions.user(authorizedBy: token)
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive); `nil` for a
    /// missing or malformed header.
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
