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

DROP INDEX login_jobs_unsent_code_idx;

-- the pruner nulls the codes of jobs that failed before sending them, 10 minutes after they ended
CREATE INDEX login_jobs_unsent_code_idx ON login_jobs (finished_at)
    WHERE state = 'failed' AND exchange_sent_at IS NULL;
