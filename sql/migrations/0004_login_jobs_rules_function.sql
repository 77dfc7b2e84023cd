-- 0004_login_jobs_rules_function.sql — login_jobs' 17 CHECK constraints become one, a PL/pgSQL function.
--
-- Why: PostgreSQL 15 reads every CHECK of a table from its stored text (stringToNode), plans it and
-- compiles it again at every INSERT or UPDATE statement; it does not keep them between statements.
-- login_jobs is written five times per login and its 17 rules cost about 40 µs of CPU per write,
-- the largest single item of the database's CPU per login in `bench logins` profiles. PL/pgSQL
-- keeps a function's parsed and planned expressions for the whole session, so the same rules cost
-- about 18 µs per write (`pgbench -M prepared` of one UPDATE; docs/BENCHMARKS.md, "CHECK rules").
--
-- The rules are the same, word for word, and each keeps its old name: a write that breaks one fails
-- with SQLSTATE 23514 (check_violation), the rule's name as the constraint name, and a message that
-- says which rule, never the row's values. Read them with `\sf login_job_rules_hold`.
--
-- The function takes the columns it checks, not the row: it does not depend on the table's row type,
-- so adding a column to login_jobs needs no change here. Two cautions for later migrations:
--   - a new rule: replace the function (a new argument list means a new function), then drop
--     login_jobs_rules_check and add it again NOT VALID, and VALIDATE it in the next migration (as
--     here and in 0005): VALIDATE on a constraint that is already valid checks nothing;
--   - dropping any of the 24 columns below drops login_jobs_rules_check with it, all 17 rules at
--     once (a plain CHECK went only with its own columns): add the constraint again at once.
--
-- Applying it holds login_jobs' ACCESS EXCLUSIVE lock only for the catalog changes: the constraint
-- is added NOT VALID (every row already kept the same rules under the old constraints), and 0005
-- validates it under a lock that lets reads and writes go on.

ALTER TABLE login_jobs
    DROP CONSTRAINT login_jobs_state_check,
    DROP CONSTRAINT login_jobs_stage_check,
    DROP CONSTRAINT login_jobs_attempt_check,
    DROP CONSTRAINT login_jobs_deadline_check,
    DROP CONSTRAINT login_jobs_errors_check,
    DROP CONSTRAINT login_jobs_provider_check,
    DROP CONSTRAINT login_jobs_hash_length_check,
    DROP CONSTRAINT login_jobs_queued_check,
    DROP CONSTRAINT login_jobs_running_check,
    DROP CONSTRAINT login_jobs_finished_check,
    DROP CONSTRAINT login_jobs_finished_unleased_check,
    DROP CONSTRAINT login_jobs_succeeded_check,
    DROP CONSTRAINT login_jobs_failed_check,
    DROP CONSTRAINT login_jobs_delivery_check,
    DROP CONSTRAINT login_jobs_code_check,
    DROP CONSTRAINT login_jobs_exchange_sent_check,
    DROP CONSTRAINT login_jobs_secrets_check;

-- True when every rule holds (or cannot be decided, as a CHECK that is NULL passes); else it raises
-- check_violation naming the first rule broken.
CREATE FUNCTION login_job_rules_hold(
    state text, stage text, attempt smallint, max_attempts smallint, created_at timestamptz,
    deadline_at timestamptz, lease_expires_at timestamptz, locked_by text, started_at timestamptz,
    exchange_sent_at timestamptz, finished_at timestamptz, failure_code text, provider text, errors jsonb,
    user_id uuid, is_new_user boolean, session_id uuid, delivered_at timestamptz,
    refresh_token_sealed bytea, code_hmac bytea, binding_hash bytea, code_sealed bytea,
    pkce_verifier_sealed bytea, kakao_token_sealed bytea)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $rules$
DECLARE
    broken text;
BEGIN
    broken := CASE
        WHEN NOT (state IN ('queued', 'running', 'succeeded', 'failed'))
            THEN 'login_jobs_state_check'
        WHEN NOT (stage IN ('exchange', 'profile', 'done'))
            THEN 'login_jobs_stage_check'
        WHEN NOT (attempt >= 0 AND max_attempts >= 1)
            THEN 'login_jobs_attempt_check'
        WHEN NOT (deadline_at > created_at)
            THEN 'login_jobs_deadline_check'
        WHEN NOT (jsonb_typeof(errors) = 'array')
            THEN 'login_jobs_errors_check'
        WHEN NOT (provider ~ '^[a-z][a-z0-9_]{0,31}$')
            THEN 'login_jobs_provider_check'
        WHEN NOT (length(code_hmac) = 32 AND length(binding_hash) = 32)
            THEN 'login_jobs_hash_length_check'
        -- timestamps follow the state
        WHEN NOT (state <> 'queued' OR (lease_expires_at IS NULL AND locked_by IS NULL AND finished_at IS NULL))
            THEN 'login_jobs_queued_check'
        WHEN NOT (state <> 'running' OR (lease_expires_at IS NOT NULL AND locked_by IS NOT NULL
                                     AND started_at IS NOT NULL AND finished_at IS NULL AND attempt >= 1))
            THEN 'login_jobs_running_check'
        WHEN NOT ((state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
            THEN 'login_jobs_finished_check'
        WHEN NOT (finished_at IS NULL OR (lease_expires_at IS NULL AND locked_by IS NULL))
            THEN 'login_jobs_finished_unleased_check'
        WHEN NOT (state <> 'succeeded' OR (stage = 'done' AND user_id IS NOT NULL AND is_new_user IS NOT NULL
                                       AND failure_code IS NULL))
            THEN 'login_jobs_succeeded_check'
        WHEN NOT ((state = 'failed') = (failure_code IS NOT NULL))
            THEN 'login_jobs_failed_check'
        WHEN NOT ((session_id IS NULL AND delivered_at IS NULL AND refresh_token_sealed IS NULL)
              OR (state = 'succeeded' AND session_id IS NOT NULL AND delivered_at IS NOT NULL))
            THEN 'login_jobs_delivery_check'
        -- the code is kept sealed only until Kakao answers the exchange
        WHEN NOT (stage = 'exchange' OR code_sealed IS NULL)
            THEN 'login_jobs_code_check'
        WHEN NOT (stage = 'exchange' OR exchange_sent_at IS NOT NULL)
            THEN 'login_jobs_exchange_sent_check'
        -- no secret outlives its job, except the code of a job that failed before the code was ever
        -- sent (an operator may requeue it while the code lives; the pruner nulls it after 10 minutes)
        WHEN NOT (finished_at IS NULL
              OR (kakao_token_sealed IS NULL
                  AND ((code_sealed IS NULL AND pkce_verifier_sealed IS NULL)
                       OR (state = 'failed' AND exchange_sent_at IS NULL))))
            THEN 'login_jobs_secrets_check'
    END;
    IF broken IS NULL THEN
        RETURN true;
    END IF;
    RAISE EXCEPTION 'new row for relation "login_jobs" violates rule "%"', broken
        USING ERRCODE = 'check_violation', CONSTRAINT = broken, TABLE = 'login_jobs';
END
$rules$;

COMMENT ON FUNCTION login_job_rules_hold IS
    'The rules of login_jobs (CHECK login_jobs_rules_check); raises check_violation naming the rule broken.';

ALTER TABLE login_jobs ADD CONSTRAINT login_jobs_rules_check CHECK (login_job_rules_hold(
    state, stage, attempt, max_attempts, created_at, deadline_at, lease_expires_at, locked_by, started_at,
    exchange_sent_at, finished_at, failure_code, provider, errors, user_id, is_new_user, session_id,
    delivered_at, refresh_token_sealed, code_hmac, binding_hash, code_sealed, pkce_verifier_sealed,
    kakao_token_sealed)) NOT VALID;
