import Accounts
import Foundation
import Logging
import Postgres

/// The API's side of account deletions (`DELETE /me`): a deletion is a job of the login queue
/// (`kind = 'account_deletion'`), claimed, leased, retried and fenced like a login; the worker
/// tells the providers and erases the account (``WorkerLoginJobs/recordErased(_:failure:providerError:error:)``).
public struct APIAccountDeletions: Sendable {
    let pool: PostgresPool
    let configuration: LoginQueueConfiguration
    let logger: Logger

    public init(pool: PostgresPool, configuration: LoginQueueConfiguration, logger: Logger) {
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
    }

    /// Asks for the deletion of `userID`'s account, in one durable statement: the job is queued
    /// (or the user's existing deletion found: deleting twice is one deletion), every session of
    /// the user ends at once (`user_deleted`), and the workers are woken.
    /// - Returns: the deletion's id.
    public func request(userID: UUID) async throws(LoginQueueError) -> UUID {
        let revoked = SQLTable("revoked")
        let row = try await LoginQueueError.database(logger, "request_deletion") {
            try await pool.query(
                """
                WITH created AS (
                    INSERT INTO login_jobs (kind, provider, stage, user_id, deadline_at, max_attempts, trace_context)
                    SELECT 'account_deletion', \(WorkerLoginJobs.accountDeletionProvider), 'disconnect', \(userID),
                           now() + make_interval(secs => \(configuration.deletionDeadline.seconds)), \(Int16(configuration.maxAttempts)),
                           \(JobTraceContext.current())::text
                    WHERE \(AuditContext.requestTag)
                    ON CONFLICT (user_id) WHERE kind = 'account_deletion' DO NOTHING
                    RETURNING login_id
                ), woken AS (
                    SELECT pg_notify(\(LoginNotifications.jobsChannel), '') FROM created
                ), \(SessionRevocation.expressions(revoked, where: "user_id = \(userID)", reason: .userDeleted))
                SELECT coalesce(
                           (SELECT login_id FROM created),
                           (SELECT login_id FROM login_jobs WHERE kind = 'account_deletion' AND user_id = \(userID))
                       ) AS deletion_id,
                       EXISTS (SELECT 1 FROM created) AS created,
                       (SELECT count(*) FROM \(revoked)) AS sessions,
                       (SELECT count(*) FROM woken) AS woken
                """
            ).single()
        }
        let deletionID: UUID
        do {
            deletionID = try row.decode(UUID.self, "deletion_id")
            var logger = logger
            logger[metadataKey: "user.id"] = "\(userID.uuidString.lowercased())"
            logger[metadataKey: "deletion.id"] = "\(deletionID.uuidString.lowercased())"
            if try row.decode(Bool.self, "created") {
                let sessions = try row.decode(Int.self, "sessions")
                logger.info("account.deletion.requested", metadata: ["session.count": "\(sessions)"])
            }
        } catch {
            throw LoginQueueError(.internalError)
        }
        return deletionID
    }

    /// The deletion `deletionID` of `userID`; nil when it is unknown or another user's (the two
    /// are indistinguishable to the caller).
    public func status(deletionID: UUID, userID: UUID) async throws(LoginQueueError) -> AccountDeletionStatus? {
        let rows = try await LoginQueueError.database(logger, "deletion_status") {
            try await pool.query(
                """
                SELECT state, failure_code, provider_error, finished_at FROM login_jobs
                WHERE login_id = \(deletionID) AND kind = 'account_deletion' AND user_id = \(userID)
                """
            )
        }
        guard let row = rows.first else { return nil }
        do {
            switch try row.decode(String.self, "state") {
            case "queued", "running":
                return .pending
            case "succeeded":
                return .succeeded(finishedAt: try row.decode(Date.self, "finished_at"))
            case "failed":
                guard let code = LoginFailureCode(rawValue: try row.decode(String.self, "failure_code")) else {
                    throw UnreadableJob(column: "failure_code")
                }
                return .failed(
                    code,
                    providerError: try row.decode(String?.self, "provider_error"),
                    finishedAt: try row.decode(Date.self, "finished_at")
                )
            default:
                throw UnreadableJob(column: "state")
            }
        } catch {
            logger.error("account.deletion.unreadable", metadata: ["deletion.id": "\(deletionID.uuidString.lowercased())"])
            throw LoginQueueError(.internalError)
        }
    }
}
