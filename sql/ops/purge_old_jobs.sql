-- Delete finished jobs older than a retention, 5,000 rows per statement so no lock is held for
-- long; run it again until it deletes 0 rows. Workers already prune after LOGIN_RETENTION_SECONDS;
-- this is for a one-off cleanup. Keep at least an hour: a late re-post of a code must still find
-- its job (the dedupe lives in login_jobs.code_hmac). A failed account deletion stays until an
-- operator retries it. What `kakao-login queue purge --older-than 12h` runs.
-- Usage: psql -v keep='1 hour' -f sql/ops/purge_old_jobs.sql
DELETE FROM login_jobs
WHERE id IN (
    SELECT id FROM login_jobs
    WHERE finished_at < now() - greatest(:'keep'::interval, interval '1 hour')
      AND NOT (kind = 'account_deletion' AND state = 'failed')
    ORDER BY finished_at
    LIMIT 5000
);
-- Attempts expire after 10 minutes; used or not, they are not needed after the retention.
DELETE FROM login_attempts
WHERE id IN (
    SELECT id FROM login_attempts
    WHERE expires_at < now() - greatest(:'keep'::interval, interval '1 hour')
    ORDER BY expires_at
    LIMIT 5000
);
