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
    /// writes the same expressions into the statement that completes a job).
    func upsert(_ profile: ProviderProfile, on connection: PostgresConnection) async throws -> UpsertedUser {
        let once = SQLTable("once")
        let upsert = try upsert(
            profile,
            when: once,
            identity: SQLTable("identity"),
            account: SQLTable("account"),
            refused: SQLTable("account_refused")
        )
        let row = try await connection.query(
            """
            WITH \(once) AS (SELECT 1), \(upsert.expressions)
            SELECT \(upsert.userID) AS id, \(upsert.isNewUser) AS inserted FROM \(upsert.account)
            """
        ).single()
        return UpsertedUser(userID: try row.decode(UUID.self, "id"), isNewUser: try row.decode(Bool.self, "inserted"))
    }
}
