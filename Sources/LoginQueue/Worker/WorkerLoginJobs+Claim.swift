import Foundation
import Postgres

extension WorkerLoginJobs {
    /// A claimed row this version could not read (see ``UnreadableJob``): the worker fails it
    /// with `internal_error` instead of guessing.
    struct UnreadableClaim: Error, Sendable {
        let fence: JobFence
        let loginID: UUID
        let error: UnreadableJob
    }

    /// Claims up to `limit` runnable jobs of this worker's providers (and account deletions) that
    /// no operator paused — queued and due, or running
    /// with an expired lease — in one statement (`FOR UPDATE SKIP LOCKED`), marking them running
    /// with a lease.
    /// Exchange-stage jobs get `exchange_sent_at` here, before the code can be sent.
    func claim(limit: Int, lease: Duration) async throws -> [Result<ClaimedJob, UnreadableClaim>] {
        let rows = try await pool.query(
            """
            WITH claimable AS (
                -- this worker's providers, less the paused ones (queue_pauses; '*' pauses all)
                SELECT name FROM unnest(\(providerNames)::text[]) AS name
                WHERE NOT EXISTS (SELECT 1 FROM queue_pauses p WHERE p.provider IN ('*', name))
            ), runnable AS (
                SELECT id FROM login_jobs WHERE state = 'queued' AND run_at <= now() AND provider IN (SELECT name FROM claimable)
                ORDER BY run_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), rescued AS (
                SELECT id FROM login_jobs WHERE state = 'running' AND lease_expires_at < now() AND provider IN (SELECT name FROM claimable)
                ORDER BY lease_expires_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), picked AS (
                SELECT j.id, j.exchange_sent_at AS sent_before
                FROM login_jobs j
                WHERE j.id IN (SELECT id FROM (SELECT id FROM runnable UNION ALL SELECT id FROM rescued) AS c LIMIT \(limit))
            )
            UPDATE login_jobs j
            SET state = 'running', attempt = j.attempt + 1, locked_by = \(workerID),
                lease_expires_at = now() + make_interval(secs => \(lease.seconds)),
                started_at = coalesce(j.started_at, now()),
                exchange_sent_at = CASE WHEN j.stage = 'exchange' THEN coalesce(j.exchange_sent_at, now()) ELSE j.exchange_sent_at END
            FROM picked p
            WHERE j.id = p.id
            RETURNING j.id, j.login_id, j.kind, j.user_id, j.attempt, j.max_attempts, j.stage, j.provider, j.redirect_uri, j.nonce,
                      j.attempt_id, j.link_user_id, j.trace_context,
                      j.code_sealed, j.pkce_verifier_sealed, j.kakao_token_sealed, p.sent_before IS NOT NULL AS previously_sent,
                      j.provider_error, j.errors->-1->>'class' AS last_error_class,
                      extract(epoch FROM j.deadline_at - now())::float8 AS seconds_left,
                      extract(epoch FROM now() - j.created_at)::float8 AS age
            """
        )
        let claimedAt = ContinuousClock.now
        return try rows.map { row in
            let fence = JobFence(id: try row.decode(Int64.self, "id"), attempt: Int(try row.decode(Int16.self, "attempt")))
            let loginID = try row.decode(UUID.self, "login_id")
            do {
                return .success(try Self.claimedJob(row, fence: fence, loginID: loginID, claimedAt: claimedAt))
            } catch let error as UnreadableJob {
                return .failure(UnreadableClaim(fence: fence, loginID: loginID, error: error))
            }
        }
    }

    private static func claimedJob(
        _ row: PostgresRow,
        fence: JobFence,
        loginID: UUID,
        claimedAt: ContinuousClock.Instant
    ) throws
        -> ClaimedJob
    {
        var lastError: JobOutcome.AttemptError?
        if let retryClass = try row.decode(String?.self, "last_error_class") {
            guard let known = LoginProviderError.RetryClass(rawValue: retryClass) else { throw UnreadableJob(column: "errors.class") }
            lastError = JobOutcome.AttemptError(retryClass: known, providerError: try row.decode(String?.self, "provider_error"))
        }
        return ClaimedJob(
            fence: fence,
            loginID: loginID,
            kind: try ClaimedJob.Kind(
                stored: try row.decode(String.self, "kind"),
                redirectURI: try row.decode(String?.self, "redirect_uri"),
                userID: try row.decode(UUID?.self, "user_id")
            ),
            maxAttempts: Int(try row.decode(Int16.self, "max_attempts")),
            stage: try ClaimedJob.Stage(stored: try row.decode(String.self, "stage")),
            provider: try row.decode(String.self, "provider"),
            nonce: try row.decode(String?.self, "nonce"),
            attemptID: try row.decode(UUID?.self, "attempt_id"),
            linkUserID: try row.decode(UUID?.self, "link_user_id"),
            sealedCode: try row.decode([UInt8]?.self, "code_sealed"),
            sealedVerifier: try row.decode([UInt8]?.self, "pkce_verifier_sealed"),
            sealedProviderTokens: try row.decode([UInt8]?.self, "kakao_token_sealed"),
            previouslySent: try row.decode(Bool.self, "previously_sent"),
            lastError: lastError,
            timeLeftAtClaim: .milliseconds(Int64(try row.decode(Double.self, "seconds_left") * 1000)),
            claimedAt: claimedAt,
            queueWait: .milliseconds(Int64(try row.decode(Double.self, "age") * 1000)),
            traceContext: try row.decode(String?.self, "trace_context")
        )
    }
}
