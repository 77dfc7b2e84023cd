import Accounts
import Foundation
import Postgres

/// Who ``UserAccounts/upsert(_:on:)`` signed up or logged in.
struct UpsertedUser: Sendable, Hashable {
    let userID: UUID
    /// True when this upsert created the user.
    let isNewUser: Bool
}

extension UserAccounts {
    /// The library's upsert expressions as a statement of their own on `connection` (the worker
    /// splices the same expressions into the statement that completes a job).
    func upsert(_ profile: ProviderProfile, on connection: PostgresConnection) async throws -> UpsertedUser {
        let row = try await connection.query(
            "WITH \(try upsertExpressions(profile, for: "(VALUES (1)) AS once (one)")) SELECT id, inserted FROM account"
        ).single()
        return UpsertedUser(userID: try row.decode(UUID.self, "id"), isNewUser: try row.decode(Bool.self, "inserted"))
    }
}
