import Accounts
import Foundation
import Postgres

extension WorkerLoginJobs {
    /// The provider name account deletions carry in `login_jobs.provider`: every worker claims them.
    static let accountDeletionProvider = "account"

    /// One identity of a user being deleted that its provider has not yet disconnected.
    struct IdentityToDisconnect: Sendable {
        let id: Int64
        let provider: String
        let subject: String
        /// What ``LoginProvider/disconnectToken(from:)`` gave at the last login, sealed.
        let sealedToken: [UInt8]?
    }

    /// The identities of `userID` still connected at their provider, oldest first. An identity
    /// the user later signed in with again belongs to their new user and is not among them.
    func identitiesToDisconnect(userID: UUID) async throws -> [IdentityToDisconnect] {
        let rows = try await pool.query(
            """
            SELECT id, provider, subject, provider_token_sealed FROM user_identities
            WHERE user_id = \(userID) AND provider_disconnected_at IS NULL
            ORDER BY id
            """
        )
        return try rows.map { row in
            IdentityToDisconnect(
                id: try row.decode(Int64.self, "id"),
                provider: try row.decode(String.self, "provider"),
                subject: try row.decode(String.self, "subject"),
                sealedToken: try row.decode([UInt8]?.self, "provider_token_sealed")
            )
        }
    }

    /// Records that the provider disconnected identity `identityID` (its token is dropped), so a
    /// later attempt does not ask again; fenced on the deletion job.
    /// - Returns: false when the job is no longer this worker's: nothing was written.
    func markDisconnected(_ fence: JobFence, identityID: Int64, userID: UUID) async throws -> Bool {
        try await pool.query(
            """
            WITH held AS (
                SELECT id FROM login_jobs WHERE \(fenced(fence))
            ), disconnected AS (
                UPDATE user_identities SET provider_disconnected_at = now(), provider_token_sealed = NULL, updated_at = now()
                WHERE id = \(identityID) AND user_id = \(userID) AND provider_disconnected_at IS NULL AND EXISTS (SELECT 1 FROM held)
            )
            SELECT EXISTS (SELECT 1 FROM held) AS ours
            """
        ).single().decode(Bool.self, "ours")
    }

    /// Ends a deletion: in one durable statement the account is erased (``UserAccounts/erasure(of:when:erased:)``)
    /// and the job finished — succeeded, or failed with `code`.
    /// - Returns: false when the job is no longer this worker's: nothing was written.
    func recordErased(
        _ fence: JobFence,
        failure code: LoginFailureCode?,
        providerError: String?,
        error: JobOutcome.AttemptError?
    ) async throws -> Bool {
        let held = SQLTable("held")
        let erasure = accounts.erasure(of: held.column("user_id"), when: held, erased: SQLTable("erased"))
        let errors: SQLFragment = error.map(Self.appendingError) ?? "errors"
        let rows = try await completions.query(
            """
            WITH \(held) AS (
                SELECT id, user_id FROM login_jobs WHERE \(fenced(fence)) AND kind = 'account_deletion' FOR UPDATE
            ), \(erasure.expressions), ended AS (
                UPDATE login_jobs j
                SET state = CASE WHEN \(code?.rawValue)::text IS NULL THEN 'succeeded' ELSE 'failed' END,
                    stage = CASE WHEN \(code?.rawValue)::text IS NULL THEN 'done' ELSE j.stage END,
                    finished_at = now(), lease_expires_at = NULL, locked_by = NULL,
                    failure_code = \(code?.rawValue), provider_error = \(providerError), errors = \(errors)
                FROM \(held)
                WHERE j.id = \(held).id
                RETURNING j.login_id
            )
            SELECT login_id, pg_notify(\(LoginNotifications.doneChannel), login_id::text) FROM ended
            """
        )
        return !rows.isEmpty
    }
}
