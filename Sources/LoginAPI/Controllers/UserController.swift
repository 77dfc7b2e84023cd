import Accounts
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /me`: the user of a valid access token whose session is still active.
struct UserController: Sendable {
    let sessions: Sessions

    func me(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let token = Self.bearerToken(request) else { throw AccountsError(.invalidAccessToken) }
        let user = try await sessions.user(authorizedBy: token)
        return JSONBody.response(user)
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
