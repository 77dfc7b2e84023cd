-- 0003_hot_checkpoint.sql — let the worker's checkpoint be a HOT update.
--
-- The checkpoint (stage 'profile', the Kakao token sealed, the code and the PKCE verifier nulled)
-- changed `code_sealed`, a column named in the predicate of login_jobs_unsent_code_idx, so
-- PostgreSQL had to write a new entry into every index of login_jobs for it. The jobs whose code
-- may outlive them are exactly the failed ones whose code was never sent (the CHECK
-- login_jobs_secrets_check says so), so the index now names those instead; the checkpoint then
-- touches no indexed column and can update the row in place when its page has room (fillfactor
-- 90). Check with:
--
--   SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'login_jobs';
--
-- The index now keeps every job that failed before its code was sent until the pruner deletes
-- the job (after the retention period), not only those whose code is still stored: small unless
-- many logins fail before the exchange (expired in the queue, cancelled by an operator).
--
-- Applying it locks login_jobs against writes while the new index is built, a scan of the whole
-- table. On a large live table, build it by hand first (it does not block writes) and
-- this migration's CREATE becomes a no-op:
--   CREATE INDEX CONCURRENTLY login_jobs_failed_unsent_idx ON login_jobs (finished_at)
--       WHERE state = 'failed' AND exchange_sent_at IS NULL;

DROP INDEX login_jobs_unsent_code_idx;

-- the pruner nulls the codes of jobs that failed before sending them, 10 minutes after they ended
CREATE INDEX IF NOT EXISTS login_jobs_failed_unsent_idx ON login_jobs (finished_at)
    WHERE state = 'failed' AND exchange_sent_at IS NULL;
