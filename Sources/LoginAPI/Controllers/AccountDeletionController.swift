import Accounts
import Foundation
import Hummingbird
import LoginQueue

/// `DELETE /me` and `GET /me/deletion/{deletion_id}`: a user deletes their account through the
/// queue and follows it. Both accept the access token of a session that this deletion ended
/// (``Sessions/userID(authorizedForDeletionBy:)``), so the client that asked can ask again and
/// poll until the end.
struct AccountDeletionController: Sendable {
    let sessions: Sessions
    let deletions: APIAccountDeletions

    /// `DELETE /me`: `202 {"deletion_id", "status": "pending"}`; every session ends at once. A
    /// second request answers the same deletion.
    func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let userID = try await authorizedUserID(request)
        let deletionID = try await deletions.request(userID: userID)
        return JSONBody.response(DeletionAccepted(deletionID: deletionID), status: .accepted)
    }

    /// `GET /me/deletion/{deletion_id}`: `pending`, `succeeded` or `failed` (the account is
    /// erased either way; a failure names the provider that could not be told). `404` for an id
    /// that is not this user's deletion.
    func status(_ request: Request, context: APIRequestContext) async throws -> Response {
        let userID = try await authorizedUserID(request)
        guard let deletionID = context.parameters.get("deletion_id").flatMap(UUID.init(uuidString:)),
            let status = try await deletions.status(deletionID: deletionID, userID: userID)
        else { throw APIError.notFound }
        return JSONBody.response(DeletionProgress(deletionID: deletionID, status: status))
    }

    private func authorizedUserID(_ request: Request) async throws -> UUID {
        guard let token = UserController.bearerToken(request) else { throw AccountsError(.invalidAccessToken) }
        return try await sessions.userID(authorizedForDeletionBy: token)
    }
}

/// `202` of `DELETE /me`.
struct DeletionAccepted: Encodable {
    let deletionID: UUID

    enum CodingKeys: String, CodingKey {
        case deletionID = "deletion_id"
        case status
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deletionID.uuidString.lowercased(), forKey: .deletionID)
        try container.encode("pending", forKey: .status)
    }
}

/// `200` of `GET /me/deletion/{deletion_id}`.
struct DeletionProgress: Encodable {
    let deletionID: UUID
    let status: AccountDeletionStatus

    enum CodingKeys: String, CodingKey {
        case deletionID = "deletion_id"
        case status
        case finishedAt = "finished_at"
        case error
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deletionID.uuidString.lowercased(), forKey: .deletionID)
        switch status {
        case .pending:
            try container.encode("pending", forKey: .status)
        case .succeeded(let finishedAt):
            try container.encode("succeeded", forKey: .status)
            try container.encode(finishedAt.formatted(Self.timestamp), forKey: .finishedAt)
        case .failed(let code, let providerError, let finishedAt):
            try container.encode("failed", forKey: .status)
            try container.encode(finishedAt.formatted(Self.timestamp), forKey: .finishedAt)
            try container.encode(
                ErrorEnvelope.Detail(code: code.rawValue, message: code.message, providerError: providerError),
                forKey: .error
            )
        }
    }

    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
