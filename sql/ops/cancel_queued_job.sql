-- Cancel a queued login job (a code login or a native app's token login): it fails with
-- `canceled` and its secrets are dropped; a frontend that is long-polling hears about it at once. Running jobs are not touched (their worker owns
-- them until the lease ends), nor account deletions (the user asked for them). Zero rows updated
-- means: not a queued login. What `kakao-login queue cancel ID` runs.
-- Usage: psql -v login_id=<uuid> -f sql/ops/cancel_queued_job.sql
WITH canceled AS (
    UPDATE login_jobs
    SET state = 'failed', failure_code = 'canceled', finished_at = now(),
        code_sealed = NULL, pkce_verifier_sealed = NULL, kakao_token_sealed = NULL
    WHERE login_id = :'login_id' AND state = 'queued' AND kind <> 'account_deletion'
    RETURNING id, login_id, state, failure_code, finished_at
)
SELECT c.* FROM canceled c, LATERAL (SELECT pg_notify('login_done', c.login_id::text)) AS wake_pollers;
