-- Run a failed job again, by its public id (a login_id, or a deletion_id) — what
-- `kakao-login queue retry ID` runs.
--   A login only if its code was never sent to the provider (the code is single use: a code that
--   reached the provider must never be presented again) and is still kept (the pruner drops unsent
--   codes 10 minutes after the job failed; Kakao's codes do not live longer).
--   An account deletion always: the account is already erased; the worker asks again only the
--   providers that have not disconnected the app (user_identities.provider_disconnected_at).
-- Gives the job a fresh deadline (120 s for a login, 600 s for a deletion: the defaults of
-- LOGIN_JOB_DEADLINE_SECONDS and ACCOUNT_DELETION_DEADLINE_SECONDS) and ten more attempts; the
-- attempt number goes on, so a worker of an earlier claim stays fenced out.
-- Zero rows means: not allowed (or no such job).
-- Usage: psql -v id=<uuid> -f sql/ops/requeue_failed_job.sql
WITH requeued AS (
    UPDATE login_jobs
    SET state = 'queued', run_at = now(), finished_at = NULL, failure_code = NULL, provider_error = NULL,
        stage = CASE kind WHEN 'login' THEN 'exchange' ELSE 'disconnect' END,
        deadline_at = now() + CASE kind WHEN 'login' THEN interval '120 seconds' ELSE interval '600 seconds' END,
        max_attempts = least(attempt + 10, 32767)
    WHERE login_id = :'id' AND state = 'failed'
      AND (kind = 'account_deletion' OR (exchange_sent_at IS NULL AND code_sealed IS NOT NULL))
    RETURNING id, login_id, kind, state, attempt, deadline_at
)
SELECT r.* FROM requeued r, LATERAL (SELECT pg_notify('login_jobs', '')) AS wake_workers;
