-- 0012_account_deletion.sql — deleting an account through the login queue (DELETE /me).
--
-- A deletion is a job in login_jobs, kind 'account_deletion', claimed, leased, retried and fenced
-- like a login; its public id (login_id) is the deletion_id the user polls. Its provider is
-- 'account': every worker runs it. The worker disconnects the app at each provider (Kakao: unlink
-- with the admin key; Google: revoke the stored token), recording each success on the identity,
-- then in one transaction ends every session, erases the personal data and marks the user
-- deleted. When a provider stays down past the deadline, the account is erased all the same and
-- the job fails with the provider's reason; `kakao-login queue retry` runs the disconnects left.
--
--   stage  disconnect → done    (a deletion never has exchange or profile)

-- ---------------------------------------------------------------------------------------------
-- login_jobs: the kind of job; a deletion has no code, redirect URI or reader binding.
ALTER TABLE login_jobs
    ADD COLUMN kind text NOT NULL DEFAULT 'login',
    ALTER COLUMN redirect_uri DROP NOT NULL,
    ALTER COLUMN code_hmac DROP NOT NULL,
    ALTER COLUMN binding_hash DROP NOT NULL,
    DROP CONSTRAINT login_jobs_stage_check,
    DROP CONSTRAINT login_jobs_succeeded_check,
    DROP CONSTRAINT login_jobs_exchange_sent_check;
COMMENT ON COLUMN login_jobs.kind IS
    'login (a posted code) or account_deletion (DELETE /me: disconnect at the providers, erase the account).';

-- The rules of 0001 for logins, word for word; a deletion's own beside them. Added NOT VALID
-- (every row is a login that kept the old rules) and validated in 0013 under a lock that lets reads and writes go on.
ALTER TABLE login_jobs
    ADD CONSTRAINT login_jobs_kind_check CHECK (
        kind = 'login' AND redirect_uri IS NOT NULL AND code_hmac IS NOT NULL AND binding_hash IS NOT NULL
        OR kind = 'account_deletion' AND provider = 'account' AND user_id IS NOT NULL AND redirect_uri IS NULL
           AND code_hmac IS NULL AND code_sealed IS NULL AND pkce_verifier_sealed IS NULL AND session_id IS NULL) NOT VALID,
    ADD CONSTRAINT login_jobs_stage_check CHECK (
        kind = 'login' AND stage IN ('exchange', 'profile', 'done')
        OR kind = 'account_deletion' AND stage IN ('disconnect', 'done')) NOT VALID,
    ADD CONSTRAINT login_jobs_succeeded_check CHECK (
        state <> 'succeeded' OR (stage = 'done' AND user_id IS NOT NULL AND failure_code IS NULL
                                 AND (kind <> 'login' OR is_new_user IS NOT NULL))) NOT VALID,
    ADD CONSTRAINT login_jobs_exchange_sent_check CHECK (
        kind <> 'login' OR stage = 'exchange' OR exchange_sent_at IS NOT NULL) NOT VALID;

-- One deletion per user: DELETE /me twice is one deletion.
CREATE UNIQUE INDEX login_jobs_one_deletion_per_user_key ON login_jobs (user_id) WHERE kind = 'account_deletion';

-- The overview shows the kind (a view gains columns only at its end).
CREATE OR REPLACE VIEW login_jobs_overview AS
SELECT
    id, state, stage, attempt, max_attempts,
    run_at, deadline_at, lease_expires_at, locked_by,
    created_at, started_at, exchange_sent_at, finished_at,
    failure_code, provider, provider_error,
    jsonb_array_length(errors) AS error_count,
    user_id, is_new_user, login_id, attempt_id,
    delivered_at IS NOT NULL AS delivered,
    kind
FROM login_jobs
ORDER BY id DESC;

-- ---------------------------------------------------------------------------------------------
-- users: a deleted account keeps its id (jobs and the audit trail point at it) and nothing else.
ALTER TABLE users
    ADD COLUMN deleted_at timestamptz,
    ADD CONSTRAINT users_deleted_erased_check CHECK (
        deleted_at IS NULL OR (display_name IS NULL AND profile_image_url IS NULL AND email IS NULL));
COMMENT ON COLUMN users.deleted_at IS 'When the account was deleted (DELETE /me); its personal data is erased.';

-- ---------------------------------------------------------------------------------------------
-- user_identities: who unlinked an identity, whether the provider has disconnected the app, and
-- the sealed token a provider needs to be told so (Google's revoke; Kakao's unlink needs none).
ALTER TABLE user_identities
    ADD COLUMN unlinked_by text,
    ADD COLUMN provider_disconnected_at timestamptz,
    ADD COLUMN provider_token_sealed bytea,
    ADD CONSTRAINT user_identities_unlinked_by_check CHECK (
        unlinked_by IS NULL OR (unlinked_at IS NOT NULL AND unlinked_by IN ('user', 'provider', 'account_deletion')));
COMMENT ON COLUMN user_identities.unlinked_by IS 'user (DELETE /me/identities), provider (its unlink callback) or account_deletion.';
COMMENT ON COLUMN user_identities.provider_disconnected_at IS
    'When the provider confirmed the app is disconnected (our unlink or revoke, or its callback); NULL while connected.';
COMMENT ON COLUMN user_identities.provider_token_sealed IS
    'The provider token that disconnects the app (Google: refresh or access token), sealed; NULL when none is needed.';
