-- 0018_kakao_token_logins.sql — native-app login with Kakao's SDK (POST /auth/kakao/token).
--
-- An app that logged in with Kakao's SDK posts the Kakao access token (and the id_token and the
-- nonce when OIDC is on). It becomes a job of login_jobs with kind 'kakao_token': there is no
-- code to exchange, so the job starts at stage 'profile' with the posted tokens already in the
-- checkpoint column (kakao_token_sealed, sealed and bound to the row, nulled when the job ends).
-- The worker first asks Kakao whose token it is (/v1/user/access_token_info: its app_id must be
-- KAKAO_APP_ID; a token issued to another app fails token_not_for_this_app), checks the id_token
-- when there is one (aud one of this app's keys, the nonce), then reads user/me and signs the
-- user up or in as a code login does. The reader is the poll token of the 202 answer
-- (binding_hash); code_hmac holds an HMAC of the access token (another purpose than a code's),
-- so the same token posted again is the same login.
--
--   stage  profile → done    (a token login never has exchange; no code is ever sent)
--
-- The audit triggers of 0015 treat every kind but account_deletion as a login: a token login
-- records login_succeeded / login_failed like a code login (no attempt, so no client network).
--
-- The rules of 0012 gain a branch for the new kind; added NOT VALID (every existing row is a
-- login or a deletion, which keep the same rules) and validated in 0019 under a lock that lets
-- reads and writes go on.

ALTER TABLE login_jobs
    DROP CONSTRAINT login_jobs_kind_check,
    DROP CONSTRAINT login_jobs_stage_check,
    DROP CONSTRAINT login_jobs_succeeded_check;

ALTER TABLE login_jobs
    ADD CONSTRAINT login_jobs_kind_check CHECK (
        kind = 'login' AND redirect_uri IS NOT NULL AND code_hmac IS NOT NULL AND binding_hash IS NOT NULL
        OR kind = 'account_deletion' AND provider = 'account' AND user_id IS NOT NULL AND redirect_uri IS NULL
           AND code_hmac IS NULL AND code_sealed IS NULL AND pkce_verifier_sealed IS NULL AND session_id IS NULL
        -- a token login: read by its poll token, deduplicated by the token's HMAC; no attempt,
        -- redirect URI, code, verifier or link, and no code is ever sent
        OR kind = 'kakao_token' AND code_hmac IS NOT NULL AND binding_hash IS NOT NULL AND redirect_uri IS NULL
           AND attempt_id IS NULL AND code_sealed IS NULL AND pkce_verifier_sealed IS NULL AND link_user_id IS NULL
           AND exchange_sent_at IS NULL) NOT VALID,
    ADD CONSTRAINT login_jobs_stage_check CHECK (
        kind = 'login' AND stage IN ('exchange', 'profile', 'done')
        OR kind = 'account_deletion' AND stage IN ('disconnect', 'done')
        OR kind = 'kakao_token' AND stage IN ('profile', 'done')) NOT VALID,
    ADD CONSTRAINT login_jobs_succeeded_check CHECK (
        state <> 'succeeded' OR (stage = 'done' AND user_id IS NOT NULL AND failure_code IS NULL
                                 AND (kind = 'account_deletion' OR is_new_user IS NOT NULL))) NOT VALID,
    -- a token login holds its sealed Kakao token until it ends, and never after (secrets_check)
    ADD CONSTRAINT login_jobs_kakao_token_held_check CHECK (
        kind <> 'kakao_token' OR finished_at IS NOT NULL OR kakao_token_sealed IS NOT NULL) NOT VALID;

COMMENT ON COLUMN login_jobs.kind IS
    'login (a posted code), kakao_token (a native app''s Kakao SDK token, POST /auth/kakao/token) or account_deletion (DELETE /me: disconnect at the providers, erase the account).';
COMMENT ON COLUMN login_jobs.code_hmac IS
    'HMAC of the posted code (kind login) or of the Kakao access token (kind kakao_token), under a unique index: the same one posted again is the same job.';
