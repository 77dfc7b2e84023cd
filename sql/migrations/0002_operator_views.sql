-- 0002_operator_views.sql — what an operator reads first, in psql.
--
--   SELECT * FROM login_queue_summary;       -- one row: the queue right now and the last 5 minutes
--   SELECT * FROM login_failures_recent;     -- failures of the last hour by reason and provider error
--   SELECT * FROM login_jobs_overview LIMIT 20;  -- jobs without secret columns, newest first
--
-- The views show no bytea and no secret: sealed values and hashes stay in the tables.

CREATE VIEW login_queue_summary AS
WITH recent AS (
    SELECT state, finished_at, started_at - created_at AS queue_wait
    FROM login_jobs
    WHERE finished_at > now() - interval '5 minutes'
)
SELECT
    (SELECT count(*) FROM login_jobs WHERE state = 'queued')                                  AS queued,
    (SELECT count(*) FROM login_jobs WHERE state = 'queued' AND run_at <= now())              AS queued_runnable,
    (SELECT count(*) FROM login_jobs WHERE state = 'running')                                 AS running,
    (SELECT count(*) FROM login_jobs WHERE state = 'running' AND lease_expires_at < now())    AS running_lease_expired,
    (SELECT count(*) FROM login_jobs WHERE state = 'succeeded')                               AS succeeded,
    (SELECT count(*) FROM login_jobs WHERE state = 'failed')                                  AS failed,
    (SELECT round(extract(epoch FROM now() - min(created_at))::numeric, 3)
       FROM login_jobs WHERE state = 'queued' AND run_at <= now())                            AS oldest_queued_age_s,
    (SELECT count(*) FROM recent WHERE state = 'succeeded')                                   AS succeeded_5m,
    (SELECT count(*) FROM recent WHERE state = 'failed')                                      AS failed_5m,
    (SELECT round((1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY queue_wait)))::numeric, 1)
       FROM recent WHERE queue_wait IS NOT NULL)                                              AS queue_wait_p50_ms_5m,
    (SELECT round((1000 * extract(epoch FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY queue_wait)))::numeric, 1)
       FROM recent WHERE queue_wait IS NOT NULL)                                              AS queue_wait_p95_ms_5m,
    (SELECT count(*) FROM login_attempts WHERE used_at IS NULL AND expires_at > now())        AS pending_attempts;

COMMENT ON VIEW login_queue_summary IS
    'The login queue at a glance: counts by state, the oldest runnable job, expired leases, and the last 5 minutes.';

CREATE VIEW login_failures_recent AS
SELECT
    failure_code,
    coalesce(provider_error, '') AS provider_error,
    count(*)                     AS failures,
    max(finished_at)             AS last_seen,
    min(finished_at)             AS first_seen
FROM login_jobs
WHERE state = 'failed' AND finished_at > now() - interval '1 hour'
GROUP BY failure_code, coalesce(provider_error, '')
ORDER BY failures DESC, last_seen DESC;

COMMENT ON VIEW login_failures_recent IS
    'Failed logins of the last hour by failure code and provider error (KOE…/-NNN, never Kakao''s text).';

CREATE VIEW login_jobs_overview AS
SELECT
    id, state, stage, attempt, max_attempts,
    run_at, deadline_at, lease_expires_at, locked_by,
    created_at, started_at, exchange_sent_at, finished_at,
    failure_code, provider, provider_error,
    jsonb_array_length(errors) AS error_count,
    user_id, is_new_user, login_id, attempt_id,
    delivered_at IS NOT NULL AS delivered
FROM login_jobs
ORDER BY id DESC;

COMMENT ON VIEW login_jobs_overview IS 'login_jobs without secret columns, newest first.';
