-- 0023_login_jobs_rules_function.sql — login_jobs' 20 named rules move into one PL/pgSQL function,
-- checked by one CHECK over the whole row.
--
-- Why: PostgreSQL 15 reads every CHECK of a table from its stored text (stringToNode), plans it and
-- compiles it again at every INSERT or UPDATE statement; nothing is kept between statements. 0006
-- restored the rules as named CHECKs when they cost about 0.04 ms per write, a few hundredths of a
-- login. Since then 0012, 0018 and 0022 made them 26 kB of stored expression text, and measured again
-- (`pgbench -M prepared`, one UPDATE of one row, copies of login_jobs side by side; docs/BENCHMARKS.md,
-- row "login_jobs' rules") they cost 0.11–0.16 ms of every write against 0.02–0.04 ms for this function, whose
-- expressions PL/pgSQL parses and plans once per session (it only re-initializes their execution
-- state once per transaction). login_jobs is written about five times per login (enqueue, claim,
-- checkpoint, outcome, delivery), so the rules were the largest single item of the
-- database's CPU per login (`scripts/profile-logins`: `ExecConstraints` a third of PostgreSQL's
-- samples) — the cost issue 17 asks to halve.
--
-- What stays: every rule, word for word and under its old name. A write that breaks one fails with
-- SQLSTATE 23514 (check_violation) and the rule's name as the constraint name, and a message that
-- names the rule, never the row's values. The rules are tried in the order of their names, the order
-- in which PostgreSQL tries a table's CHECKs, so a write that breaks two names the same rule as
-- before. Read them with `\sf login_job_rules_hold`; `\d login_jobs` shows the one CHECK that calls it.
--
-- The function takes the row (`login_jobs`), so the CHECK's stored text is one call: a column added
-- later needs no change here. Two cautions for later migrations:
--   - a new or changed rule: CREATE OR REPLACE this function (the next write checks the new rules),
--     then VALIDATE nothing: find the rows already there that break it with a SELECT … WHERE NOT (rule), or
--     drop and re-add login_jobs_rules_check NOT VALID and VALIDATE it in the next migration (as here
--     and in 0024);
--   - renaming or dropping a column the function reads makes every later write of login_jobs fail
--     (the function reads it by name): replace the function in the same migration.
--
-- Applying it holds login_jobs' ACCESS EXCLUSIVE lock only for the catalog changes: every row already
-- keeps the same rules under the constraints it replaces, so the CHECK is added NOT VALID and 0024
-- validates it under a lock that lets reads and writes go on.

ALTER TABLE login_jobs
    DROP CONSTRAINT login_jobs_attempt_check,
    DROP CONSTRAINT login_jobs_code_check,
    DROP CONSTRAINT login_jobs_deadline_check,
    DROP CONSTRAINT login_jobs_delivery_check,
    DROP CONSTRAINT login_jobs_errors_check,
    DROP CONSTRAINT login_jobs_exchange_sent_check,
    DROP CONSTRAINT login_jobs_failed_check,
    DROP CONSTRAINT login_jobs_finished_check,
    DROP CONSTRAINT login_jobs_finished_unleased_check,
    DROP CONSTRAINT login_jobs_hash_length_check,
    DROP CONSTRAINT login_jobs_kakao_token_held_check,
    DROP CONSTRAINT login_jobs_kind_check,
    DROP CONSTRAINT login_jobs_provider_check,
    DROP CONSTRAINT login_jobs_queued_check,
    DROP CONSTRAINT login_jobs_running_check,
    DROP CONSTRAINT login_jobs_secrets_check,
    DROP CONSTRAINT login_jobs_stage_check,
    DROP CONSTRAINT login_jobs_state_check,
    DROP CONSTRAINT login_jobs_succeeded_check,
    DROP CONSTRAINT login_jobs_trace_context_check;

-- True when every rule holds (or cannot be decided, as a CHECK that is NULL passes); else it raises
-- check_violation naming the first rule broken, by name.
CREATE FUNCTION login_job_rules_hold(job login_jobs)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $rules$
DECLARE
    broken text;
BEGIN
    broken := CASE
        WHEN NOT (job.attempt >= 0 AND job.max_attempts >= 1)
            THEN 'login_jobs_attempt_check'
        -- the code is kept sealed only until the provider answers the exchange
        WHEN NOT (job.stage = 'exchange' OR job.code_sealed IS NULL)
            THEN 'login_jobs_code_check'
        WHEN NOT (job.deadline_at > job.created_at)
            THEN 'login_jobs_deadline_check'
        WHEN NOT ((job.session_id IS NULL AND job.delivered_at IS NULL AND job.refresh_token_sealed IS NULL)
              OR (job.state = 'succeeded' AND job.session_id IS NOT NULL AND job.delivered_at IS NOT NULL))
            THEN 'login_jobs_delivery_check'
        WHEN NOT (jsonb_typeof(job.errors) = 'array')
            THEN 'login_jobs_errors_check'
        WHEN NOT (job.kind <> 'login' OR job.stage = 'exchange' OR job.exchange_sent_at IS NOT NULL)
            THEN 'login_jobs_exchange_sent_check'
        WHEN NOT ((job.state = 'failed') = (job.failure_code IS NOT NULL))
            THEN 'login_jobs_failed_check'
        -- timestamps follow the state
        WHEN NOT ((job.state IN ('succeeded', 'failed')) = (job.finished_at IS NOT NULL))
            THEN 'login_jobs_finished_check'
        WHEN NOT (job.finished_at IS NULL OR (job.lease_expires_at IS NULL AND job.locked_by IS NULL))
            THEN 'login_jobs_finished_unleased_check'
        WHEN NOT (length(job.code_hmac) = 32 AND length(job.binding_hash) = 32)
            THEN 'login_jobs_hash_length_check'
        -- a token login holds its sealed provider token until it ends, and never after (secrets)
        WHEN NOT (job.kind <> 'kakao_token' OR job.finished_at IS NOT NULL OR job.kakao_token_sealed IS NOT NULL)
            THEN 'login_jobs_kakao_token_held_check'
        WHEN NOT (job.kind = 'login' AND job.redirect_uri IS NOT NULL AND job.code_hmac IS NOT NULL
                  AND job.binding_hash IS NOT NULL
              OR job.kind = 'account_deletion' AND job.provider = 'account' AND job.user_id IS NOT NULL
                  AND job.redirect_uri IS NULL AND job.code_hmac IS NULL AND job.code_sealed IS NULL
                  AND job.pkce_verifier_sealed IS NULL AND job.session_id IS NULL
              -- a token login: read by its poll token, deduplicated by the token's HMAC; no attempt,
              -- redirect URI, code, verifier or link, and no code is ever sent
              OR job.kind = 'kakao_token' AND job.code_hmac IS NOT NULL AND job.binding_hash IS NOT NULL
                  AND job.redirect_uri IS NULL AND job.attempt_id IS NULL AND job.code_sealed IS NULL
                  AND job.pkce_verifier_sealed IS NULL AND job.link_user_id IS NULL AND job.exchange_sent_at IS NULL)
            THEN 'login_jobs_kind_check'
        WHEN NOT (job.provider ~ '^[a-z][a-z0-9_]{0,31}$')
            THEN 'login_jobs_provider_check'
        WHEN NOT (job.state <> 'queued' OR (job.lease_expires_at IS NULL AND job.locked_by IS NULL
                                            AND job.finished_at IS NULL))
            THEN 'login_jobs_queued_check'
        WHEN NOT (job.state <> 'running' OR (job.lease_expires_at IS NOT NULL AND job.locked_by IS NOT NULL
                                             AND job.started_at IS NOT NULL AND job.finished_at IS NULL
                                             AND job.attempt >= 1))
            THEN 'login_jobs_running_check'
        -- no secret outlives its job, except the code of a job that failed before the code was ever
        -- sent (an operator may requeue it while the code lives; the pruner nulls it after 10 minutes)
        WHEN NOT (job.finished_at IS NULL
              OR (job.kakao_token_sealed IS NULL
                  AND ((job.code_sealed IS NULL AND job.pkce_verifier_sealed IS NULL)
                       OR (job.state = 'failed' AND job.exchange_sent_at IS NULL))))
            THEN 'login_jobs_secrets_check'
        WHEN NOT (job.kind = 'login' AND job.stage IN ('exchange', 'profile', 'done')
              OR job.kind = 'account_deletion' AND job.stage IN ('disconnect', 'done')
              OR job.kind = 'kakao_token' AND job.stage IN ('profile', 'done'))
            THEN 'login_jobs_stage_check'
        WHEN NOT (job.state IN ('queued', 'running', 'succeeded', 'failed'))
            THEN 'login_jobs_state_check'
        WHEN NOT (job.state <> 'succeeded' OR (job.stage = 'done' AND job.user_id IS NOT NULL
                                               AND job.failure_code IS NULL
                                               AND (job.kind = 'account_deletion' OR job.is_new_user IS NOT NULL)))
            THEN 'login_jobs_succeeded_check'
        -- a W3C traceparent, or NULL when tracing is off
        WHEN NOT (job.trace_context ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$')
            THEN 'login_jobs_trace_context_check'
    END;
    IF broken IS NULL THEN
        RETURN true;
    END IF;
    RAISE EXCEPTION 'new row for relation "login_jobs" violates rule "%"', broken
        USING ERRCODE = 'check_violation', CONSTRAINT = broken, TABLE = 'login_jobs';
END
$rules$;

COMMENT ON FUNCTION login_job_rules_hold(login_jobs) IS
    'The 20 rules of login_jobs (CHECK login_jobs_rules_check), tried in the order of their names; raises check_violation naming the rule broken.';

ALTER TABLE login_jobs ADD CONSTRAINT login_jobs_rules_check CHECK (login_job_rules_hold(login_jobs)) NOT VALID;

COMMENT ON CONSTRAINT login_jobs_rules_check ON login_jobs IS
    'Every rule of login_jobs, by name: \sf login_job_rules_hold';
