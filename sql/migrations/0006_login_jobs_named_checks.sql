-- 0006_login_jobs_named_checks.sql — login_jobs' rules become named CHECK constraints again.
--
-- 0004 folded the 17 CHECK constraints of 0001 into one CHECK over a PL/pgSQL function, because
-- PostgreSQL 15 re-plans every CHECK at every INSERT or UPDATE statement and a function keeps its
-- plans for the session. Measured again side by side (docs/BENCHMARKS.md, "CHECK rules"), the
-- saving is a few hundredths of a millisecond per write, within the noise of a whole login, while
-- `\d login_jobs` showed one opaque call instead of the rules. Readable rules win: this migration
-- restores them, word for word and under their old names, so `\d login_jobs` tells an operator
-- which states allow which columns, and a write that breaks one fails with SQLSTATE 23514 naming
-- the rule. (The server's DETAIL line of such an error shows the row; the service never logs it.)
--
-- Applying it holds login_jobs' ACCESS EXCLUSIVE lock only for the catalog changes: every row
-- already keeps the same rules under the constraint it replaces, so they are added NOT VALID and
-- 0007 validates them under a lock that lets reads and writes go on.

ALTER TABLE login_jobs DROP CONSTRAINT login_jobs_rules_check;
DROP FUNCTION login_job_rules_hold(
    text, text, smallint, smallint, timestamptz, timestamptz, timestamptz, text, timestamptz, timestamptz, timestamptz,
    text, text, jsonb, uuid, boolean, uuid, timestamptz, bytea, bytea, bytea, bytea, bytea, bytea);

ALTER TABLE login_jobs
    ADD CONSTRAINT login_jobs_state_check CHECK (state IN ('queued', 'running', 'succeeded', 'failed')) NOT VALID,
    ADD CONSTRAINT login_jobs_stage_check CHECK (stage IN ('exchange', 'profile', 'done')) NOT VALID,
    ADD CONSTRAINT login_jobs_attempt_check CHECK (attempt >= 0 AND max_attempts >= 1) NOT VALID,
    ADD CONSTRAINT login_jobs_deadline_check CHECK (deadline_at > created_at) NOT VALID,
    ADD CONSTRAINT login_jobs_errors_check CHECK (jsonb_typeof(errors) = 'array') NOT VALID,
    ADD CONSTRAINT login_jobs_provider_check CHECK (provider ~ '^[a-z][a-z0-9_]{0,31}$') NOT VALID,
    ADD CONSTRAINT login_jobs_hash_length_check CHECK (length(code_hmac) = 32 AND length(binding_hash) = 32) NOT VALID,
    -- timestamps follow the state
    ADD CONSTRAINT login_jobs_queued_check CHECK (
        state <> 'queued' OR (lease_expires_at IS NULL AND locked_by IS NULL AND finished_at IS NULL)) NOT VALID,
    ADD CONSTRAINT login_jobs_running_check CHECK (
        state <> 'running' OR (lease_expires_at IS NOT NULL AND locked_by IS NOT NULL
                               AND started_at IS NOT NULL AND finished_at IS NULL AND attempt >= 1)) NOT VALID,
    ADD CONSTRAINT login_jobs_finished_check CHECK (
        (state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)) NOT VALID,
    ADD CONSTRAINT login_jobs_finished_unleased_check CHECK (
        finished_at IS NULL OR (lease_expires_at IS NULL AND locked_by IS NULL)) NOT VALID,
    ADD CONSTRAINT login_jobs_succeeded_check CHECK (
        state <> 'succeeded' OR (stage = 'done' AND user_id IS NOT NULL AND is_new_user IS NOT NULL
                                 AND failure_code IS NULL)) NOT VALID,
    ADD CONSTRAINT login_jobs_failed_check CHECK ((state = 'failed') = (failure_code IS NOT NULL)) NOT VALID,
    ADD CONSTRAINT login_jobs_delivery_check CHECK (
        (session_id IS NULL AND delivered_at IS NULL AND refresh_token_sealed IS NULL)
        OR (state = 'succeeded' AND session_id IS NOT NULL AND delivered_at IS NOT NULL)) NOT VALID,
    -- the code is kept sealed only until the provider answers the exchange
    ADD CONSTRAINT login_jobs_code_check CHECK (stage = 'exchange' OR code_sealed IS NULL) NOT VALID,
    ADD CONSTRAINT login_jobs_exchange_sent_check CHECK (stage = 'exchange' OR exchange_sent_at IS NOT NULL) NOT VALID,
    -- no secret outlives its job, except the code of a job that failed before the code was ever
    -- sent (an operator may requeue it while the code lives; the pruner nulls it after 10 minutes)
    ADD CONSTRAINT login_jobs_secrets_check CHECK (
        finished_at IS NULL
        OR (kakao_token_sealed IS NULL
            AND ((code_sealed IS NULL AND pkce_verifier_sealed IS NULL)
                 OR (state = 'failed' AND exchange_sent_at IS NULL)))) NOT VALID;

COMMENT ON COLUMN login_jobs.kakao_token_sealed IS
    'The provider''s tokens after the exchange (Kakao''s or Google''s, despite the name), sealed; nulled when the job ends.';
