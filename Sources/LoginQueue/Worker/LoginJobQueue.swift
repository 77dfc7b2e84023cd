import Accounts
import Foundation
import Logging
import Postgres

/// The worker's statements on `login_jobs`. The claim commits before any call to the provider;
/// every later write is fenced on (`id`, `attempt`, `locked_by`) and `state = 'running'`, so a
/// job rescued by another worker cannot be overwritten by its old one.
struct LoginJobQueue: Sendable {
    let pool: PostgresPool
    let workerID: String
    let accounts: UserAccounts

    /// Claims up to `limit` runnable jobs — queued and due, or running with an expired lease —
    /// in one statement (`FOR UPDATE SKIP LOCKED`), marking them running with a lease.
    /// Exchange-stage jobs get `exchange_sent_at` here, before the code can be sent.
    func claim(limit: Int, lease: Duration) async throws -> [ClaimedJob] {
        let rows = try await pool.query(
            """
            WITH runnable AS (
                SELECT id FROM login_jobs WHERE state = 'queued' AND run_at <= now()
                ORDER BY run_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            ), rescued AS (
                SELECT id FROM login_jobs WHERE state = 'running' AND lease_expires_at < now()
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
            RETURNING j.id, j.login_id, j.attempt, j.max_attempts, j.stage, j.provider, j.redirect_uri, j.nonce, j.attempt_id,
                      j.code_sealed, j.pkce_verifier_sealed, j.kakao_token_sealed, p.sent_before IS NOT NULL AS previously_sent,
                      j.provider_error, j.errors->-1->>'class' AS last_error_class,
                      extract(epoch FROM j.deadline_at - now())::float8 AS seconds_left,
                      extract(epoch FROM now() - j.created_at)::float8 AS age
            """
        )
        let claimedAt = ContinuousClock.now
        return try rows.map { row in
            ClaimedJob(
                id: try row.decode(Int64.self, "id"),
                loginID: try row.decode(UUID.self, "login_id"),
                attempt: Int(try row.decode(Int16.self, "attempt")),
                maxAttempts: Int(try row.decode(Int16.self, "max_attempts")),
                stage: ClaimedJob.Stage(rawValue: try row.decode(String.self, "stage")) ?? .exchange,
                provider: try row.decode(String.self, "provider"),
                redirectURI: try row.decode(String.self, "redirect_uri"),
                nonce: try row.decode(String?.self, "nonce"),
                attemptID: try row.decode(UUID?.self, "attempt_id"),
                sealedCode: try row.decode([UInt8]?.self, "code_sealed"),
                sealedVerifier: try row.decode([UInt8]?.self, "pkce_verifier_sealed"),
                sealedProviderTokens: try row.decode([UInt8]?.self, "kakao_token_sealed"),
                previouslySent: try row.decode(Bool.self, "previously_sent"),
                lastError: try row.decode(String?.self, "last_error_class").map {
                    JobOutcome.AttemptError(retryClass: $0, providerError: try row.decode(String?.self, "provider_error"))
                },
                timeLeftAtClaim: .milliseconds(Int64(try row.decode(Double.self, "seconds_left") * 1000)),
                claimedAt: claimedAt,
                queueWait: .milliseconds(Int64(try row.decode(Double.self, "age") * 1000))
            )
        }
    }

    /// Renews the leases of the jobs this worker runs, in one statement; returns the ids it
    /// still holds (a missing id was rescued by another worker or finished by an operator).
    func renewLeases(_ ids: [Int64], lease: Duration) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            UPDATE login_jobs SET lease_expires_at = now() + make_interval(secs => \(lease.seconds))
            WHERE id = ANY(\(ids)) AND locked_by = \(workerID) AND state = 'running'
            RETURNING id
            """
        )
        return Set(try rows.map { try $0.decode(Int64.self, "id") })
    }

    /// After a successful exchange: the provider's tokens sealed, the code and verifier dropped,
    /// `stage = 'profile'`. Losing it only costs a retry, so it does not wait for the WAL flush:
    /// one statement that sets `synchronous_commit = off` for its own implicit transaction
    /// (`set_config(…, true)`), one round trip instead of BEGIN, UPDATE, COMMIT.
    /// - Returns: false when the job is no longer this worker's.
    func checkpoint(_ job: ClaimedJob, sealedTokens: [UInt8]) async throws -> Bool {
        try await pool.execute(
            """
            UPDATE login_jobs
            SET stage = 'profile', kakao_token_sealed = \(sealedTokens), code_sealed = NULL, pkce_verifier_sealed = NULL
            FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
            WHERE id = \(job.id) AND attempt = \(job.attempt) AND locked_by = \(workerID) AND state = 'running'
            """
        ) == 1
    }

    /// Writes an outcome. Success upserts the user and identity and finishes the job in one
    /// durable statement; every outcome that ends the job NOTIFYs the API.
    /// - Returns: false when the job is no longer this worker's (nothing was written).
    func record(_ outcome: JobOutcome, for job: ClaimedJob) async throws -> Bool {
        switch outcome {
        case .succeeded(let profile):
            // The job row is locked first (fenced), then the identity and the user are written,
            // then the job is finished: the order of the former lock-upsert-update transaction,
            // in one round trip. A job that is no longer ours writes nothing at all.
            let rows = try await pool.query(
                """
                WITH held AS (
                    SELECT id FROM login_jobs
                    WHERE id = \(job.id) AND attempt = \(job.attempt) AND locked_by = \(workerID) AND state = 'running'
                    FOR UPDATE
                ), \(try accounts.upsertExpressions(profile, for: "held")), done AS (
                    UPDATE login_jobs j
                    SET state = 'succeeded', stage = 'done', finished_at = now(), lease_expires_at = NULL, locked_by = NULL,
                        user_id = account.id, is_new_user = account.inserted,
                        code_sealed = NULL, pkce_verifier_sealed = NULL, kakao_token_sealed = NULL
                    FROM held, account
                    WHERE j.id = held.id
                    RETURNING j.login_id
                )
                SELECT pg_notify(\(LoginJobs.doneChannel), login_id::text) FROM done
                """
            )
            return !rows.isEmpty

        case .retry(let delay, let error, let codeNeverSent):
            return try await pool.execute(
                """
                UPDATE login_jobs
                SET state = 'queued', run_at = now() + make_interval(secs => \(delay.seconds)),
                    lease_expires_at = NULL, locked_by = NULL, provider_error = \(error.providerError as String?),
                    exchange_sent_at = CASE WHEN \(codeNeverSent) THEN NULL ELSE exchange_sent_at END,
                    errors = errors || jsonb_build_array(jsonb_build_object(
                        'at', now(), 'attempt', attempt, 'stage', stage,
                        'class', \(error.retryClass)::text, 'provider_error', \(error.providerError as String?)::text))
                WHERE id = \(job.id) AND attempt = \(job.attempt) AND locked_by = \(workerID) AND state = 'running'
                """
            ) == 1

        case .failed(let code, let providerError, let error, let codeNeverSent):
            let rows = try await pool.query(
                """
                WITH failed AS (
                    UPDATE login_jobs
                    SET state = 'failed', finished_at = now(), lease_expires_at = NULL, locked_by = NULL,
                        failure_code = \(code.rawValue), provider_error = \(providerError),
                        exchange_sent_at = CASE WHEN \(codeNeverSent) THEN NULL ELSE exchange_sent_at END,
                        code_sealed = CASE WHEN \(codeNeverSent) THEN code_sealed END,
                        pkce_verifier_sealed = CASE WHEN \(codeNeverSent) THEN pkce_verifier_sealed END,
                        kakao_token_sealed = NULL,
                        errors = CASE WHEN \(error != nil) THEN errors || jsonb_build_array(jsonb_build_object(
                            'at', now(), 'attempt', attempt, 'stage', stage,
                            'class', \(error?.retryClass as String?)::text, 'provider_error', \(error?.providerError as String?)::text))
                            ELSE errors END
                    WHERE id = \(job.id) AND attempt = \(job.attempt) AND locked_by = \(workerID) AND state = 'running'
                    RETURNING login_id
                )
                SELECT login_id, pg_notify(\(LoginJobs.doneChannel), login_id::text) FROM failed
                """
            )
            return !rows.isEmpty

        case .released(let codeNeverSent):
            return try await pool.execute(
                """
                UPDATE login_jobs
                SET state = 'queued', run_at = now(), lease_expires_at = NULL, locked_by = NULL,
                    exchange_sent_at = CASE WHEN \(codeNeverSent) THEN NULL ELSE exchange_sent_at END
                WHERE id = \(job.id) AND attempt = \(job.attempt) AND locked_by = \(workerID) AND state = 'running'
                """
            ) == 1
        }
    }
}
