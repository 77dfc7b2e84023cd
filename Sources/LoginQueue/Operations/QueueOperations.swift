import Foundation
import Logging
import Postgres

/// What an operator does to one job (`kakao-login queue retry`), each one guarded statement that
/// refuses what is unsafe and says why. The same statement is in `sql/ops/` for psql.
public struct QueueOperations: Sendable {
    /// What a retry did.
    public enum Retried: Sendable, Equatable {
        /// The job is queued again with a fresh deadline; workers were woken.
        case requeued(kind: String)
        /// No job has this public id.
        case notFound
        /// Nothing changed, for this reason (a sentence for the operator).
        case refused(String)
    }

    let pool: PostgresPool
    let configuration: LoginQueueConfiguration

    public init(pool: PostgresPool, configuration: LoginQueueConfiguration = LoginQueueConfiguration()) {
        self.pool = pool
        self.configuration = configuration
    }

    /// Runs a failed job again, by its public id (`login_id`, or a deletion's `deletion_id`). A
    /// native app's token login never (its token is dropped when it ends). A
    /// login only when its code was never sent and is still kept: a code is never presented again
    /// after an answer. A deletion always: telling a provider twice is harmless, and the worker
    /// asks only the providers not yet disconnected. The job gets a fresh deadline and ten more
    /// attempts; its attempt number goes on, so a worker of an earlier claim stays fenced out.
    public func retry(publicID: UUID) async throws -> Retried {
        let row = try await pool.query(
            """
            WITH requeued AS (
                UPDATE login_jobs
                SET state = 'queued', run_at = now(), finished_at = NULL, failure_code = NULL, provider_error = NULL,
                    stage = CASE kind WHEN 'login' THEN 'exchange' ELSE 'disconnect' END,
                    deadline_at = now() + make_interval(secs => CASE kind WHEN 'login' THEN \(configuration.jobDeadline.seconds)
                                                                 ELSE \(configuration.deletionDeadline.seconds) END),
                    max_attempts = least(attempt + \(Int16(configuration.maxAttempts)), 32767)
                WHERE login_id = \(publicID) AND state = 'failed'
                  AND (kind = 'account_deletion' OR (exchange_sent_at IS NULL AND code_sealed IS NOT NULL))
                RETURNING kind
            ), woken AS (
                SELECT pg_notify(\(LoginNotifications.jobsChannel), '') FROM requeued
            )
            SELECT (SELECT kind FROM requeued) AS requeued_kind, (SELECT count(*) FROM woken) AS woken,
                   (SELECT state FROM login_jobs WHERE login_id = \(publicID)) AS state,
                   (SELECT kind FROM login_jobs WHERE login_id = \(publicID)) AS kind,
                   (SELECT exchange_sent_at IS NOT NULL FROM login_jobs WHERE login_id = \(publicID)) AS code_sent
            """
        ).single()
        if let kind = try row.decode(String?.self, "requeued_kind") { return .requeued(kind: kind) }
        guard let state = try row.decode(String?.self, "state") else { return .notFound }
        if state != "failed" { return .refused("the job is \(state), not failed") }
        if try row.decode(String?.self, "kind") == "kakao_token" {
            return .refused(
                "a native app's token login is not run again: its Kakao token was dropped when it failed (the app logs in again)"
            )
        }
        if try row.decode(Bool?.self, "code_sent") == true {
            return .refused("its code was sent to the provider: a code is never presented again after an answer")
        }
        return .refused("its code is no longer kept (unsent codes are dropped 10 minutes after the job failed)")
    }
}
