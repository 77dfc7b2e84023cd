-- Lift a pause and wake the workers at once. `-v provider='*'` lifts the pause of every
-- provider (only that row: a provider paused on its own stays paused). What `kakao-login queue
-- resume --provider P` runs; without --provider the command lifts every row.
-- Usage: psql -v provider=kakao -f sql/ops/resume_queue.sql
WITH resumed AS (
    DELETE FROM queue_pauses WHERE provider = :'provider'
    RETURNING provider, paused_at, paused_by, reason
)
SELECT r.* FROM resumed r, LATERAL (SELECT pg_notify('login_jobs', '')) AS wake_workers;
