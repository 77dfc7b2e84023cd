import Foundation
import Postgres

extension QueueOperations {
    /// What a cancel did.
    public enum Canceled: Sendable, Equatable {
        /// The job failed with `canceled`; its secrets are dropped and its reader was told.
        case canceled
        case notFound
        /// Nothing changed, for this reason.
        case refused(String)
    }

    /// Cancels a queued login (a code or a native token login) by its `login_id` (one guarded statement, as
    /// `sql/ops/cancel_queued_job.sql`). A running job is its worker's until the lease ends; an
    /// account deletion is the user's to ask for and is never canceled.
    public func cancel(publicID: UUID) async throws -> Canceled {
        let row = try await pool.query(
            """
            WITH canceled AS (
                UPDATE login_jobs
                SET state = 'failed', failure_code = 'canceled', finished_at = now(),
                    code_sealed = NULL, pkce_verifier_sealed = NULL, kakao_token_sealed = NULL
                WHERE login_id = \(publicID) AND state = 'queued' AND kind <> 'account_deletion'
                RETURNING login_id
            ), told AS (
                SELECT pg_notify(\(LoginNotifications.doneChannel), login_id::text) FROM canceled
            )
            SELECT (SELECT count(*) FROM told) AS canceled,
                   (SELECT state FROM login_jobs WHERE login_id = \(publicID)) AS state,
                   (SELECT kind FROM login_jobs WHERE login_id = \(publicID)) AS kind
            """
        ).single()
        if try row.decode(Int.self, "canceled") > 0 { return .canceled }
        guard let state = try row.decode(String?.self, "state") else { return .notFound }
        if try row.decode(String?.self, "kind") == "account_deletion" {
            return .refused("an account deletion is never canceled: the user asked for it and their sessions have ended")
        }
        if state == "running" { return .refused("a worker is running it; it may have sent the code, so it finishes on its own") }
        return .refused("the job is \(state), not queued")
    }
}
