-- Run a failed login job again — only if its code was never sent to Kakao (the code is single
-- use: a code that reached Kakao must never be presented again) and is still kept (the pruner
-- drops unsent codes 10 minutes after the job failed; Kakao's codes do not live longer).
-- Gives the job a fresh 120-second deadline. Zero rows updated means: not allowed.
-- Usage: psql -v login_id=<uuid> -f sql/ops/requeue_failed_job.sql
WITH requeued AS (
    UPDATE login_jobs
    SET state = 'queued', stage = 'exchange', run_at = now(), deadline_at = now() + interval '120 seconds',
        finished_at = NULL, failure_code = NULL, provider_error = NULL
    WHERE login_id = :'login_id'
      AND state = 'failed' AND exchange_sent_at IS NULL AND code_sealed IS NOT NULL
    RETURNING id, login_id, state, attempt, deadline_at
)
SELECT r.* FROM requeued r, LATERAL (SELECT pg_notify('login_jobs', '')) AS wake_workers;
