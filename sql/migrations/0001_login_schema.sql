-- 0001_login_schema.sql — the tables of kakao-login.
--
-- Plain SQL an operator can read and apply by hand (`psql -1 -f`); `kakao-login migrate` applies it
-- in a transaction and records its checksum. Never edit this file once applied: add a new one.
--
-- Secrets are never stored in plaintext: codes, PKCE verifiers and Kakao tokens are sealed
-- (AES-GCM, key id inside the value, bound to their row and column) and nulled as soon as they are
-- no longer needed; the code is deduplicated through an HMAC; refresh tokens and attempt bindings
-- are stored as hashes. Times come from the database clock (now()), never from a process.

-- ---------------------------------------------------------------------------------------------
-- users: the app's own user. Profile fields here are the user's to edit; a login fills a field only
-- while it is empty and never overwrites it (the provider's latest values live in user_identities).
CREATE TABLE users (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    display_name       text,
    profile_image_url  text,
    email              text,
    email_verified     boolean     NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    last_login_at      timestamptz,
    CONSTRAINT users_email_verified_needs_email CHECK (NOT email_verified OR email IS NOT NULL)
);

-- ---------------------------------------------------------------------------------------------
-- user_identities: one row per (provider, subject). The Kakao id is the text of a 64-bit integer.
-- Users are found by this pair, never by email. The profile is the provider's, refreshed at every
-- login; email_verified is true only when Kakao says both is_email_valid and is_email_verified.
CREATE TABLE user_identities (
    id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider             text        NOT NULL,
    subject              text        NOT NULL,
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nickname             text,
    profile_image_url    text,
    thumbnail_image_url  text,
    email                text,
    email_verified       boolean     NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    last_login_at        timestamptz NOT NULL DEFAULT now(),
    login_count          integer     NOT NULL DEFAULT 1,
    CONSTRAINT user_identities_provider_subject_key UNIQUE (provider, subject),
    CONSTRAINT user_identities_provider_check CHECK (provider ~ '^[a-z][a-z0-9_]{0,31}$'),
    CONSTRAINT user_identities_subject_check CHECK (length(subject) BETWEEN 1 AND 255),
    CONSTRAINT user_identities_email_verified_needs_email CHECK (NOT email_verified OR email IS NOT NULL)
);
CREATE INDEX user_identities_user_id_idx ON user_identities (user_id);

-- ---------------------------------------------------------------------------------------------
-- login_attempts: created by POST /auth/kakao/start, bound to one browser (cookie) or client
-- (attempt token) by the hash of that secret; used once by POST /auth/kakao/login.
CREATE TABLE login_attempts (
    id                    uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    provider              text        NOT NULL DEFAULT 'kakao',
    state_hash            bytea       NOT NULL,
    binding_hash          bytea       NOT NULL,
    pkce_verifier_sealed  bytea,
    nonce                 text        NOT NULL,
    redirect_uri          text        NOT NULL,
    client_ip             inet,
    created_at            timestamptz NOT NULL DEFAULT now(),
    expires_at            timestamptz NOT NULL DEFAULT now() + interval '10 minutes',
    used_at               timestamptz,
    CONSTRAINT login_attempts_state_hash_key UNIQUE (state_hash),
    CONSTRAINT login_attempts_binding_hash_key UNIQUE (binding_hash),
    CONSTRAINT login_attempts_expiry_check CHECK (expires_at > created_at),
    CONSTRAINT login_attempts_used_check CHECK (used_at IS NULL OR used_at >= created_at),
    -- the verifier moves to the login job when the attempt is used
    CONSTRAINT login_attempts_verifier_check CHECK (used_at IS NULL OR pkce_verifier_sealed IS NULL),
    CONSTRAINT login_attempts_hash_length_check CHECK (length(state_hash) = 32 AND length(binding_hash) = 32)
);
-- pending attempts per client address (the API caps them) and the pruner's scan
CREATE INDEX login_attempts_pending_ip_idx ON login_attempts (client_ip, expires_at) WHERE used_at IS NULL;
CREATE INDEX login_attempts_expires_at_idx ON login_attempts (expires_at);

-- ---------------------------------------------------------------------------------------------
-- login_jobs: one row per posted code. The columns an operator reads first come first.
--   state  queued → running → succeeded | failed    (running → queued again on a retryable error)
--   stage  exchange → profile → done                 (profile: the code was exchanged and the
--                                                     sealed Kakao token is checkpointed)
CREATE TABLE login_jobs (
    id                    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state                 text        NOT NULL DEFAULT 'queued',
    stage                 text        NOT NULL DEFAULT 'exchange',
    attempt               smallint    NOT NULL DEFAULT 0,
    max_attempts          smallint    NOT NULL DEFAULT 10,
    run_at                timestamptz NOT NULL DEFAULT now(),
    deadline_at           timestamptz NOT NULL DEFAULT now() + interval '120 seconds',
    lease_expires_at      timestamptz,
    locked_by             text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    started_at            timestamptz,
    exchange_sent_at      timestamptz,
    finished_at           timestamptz,
    failure_code          text,
    provider              text        NOT NULL DEFAULT 'kakao',
    provider_error        text,
    errors                jsonb       NOT NULL DEFAULT '[]',
    user_id               uuid        REFERENCES users (id) ON DELETE SET NULL,
    is_new_user           boolean,
    attempt_id            uuid        REFERENCES login_attempts (id) ON DELETE SET NULL,
    login_id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    redirect_uri          text        NOT NULL,
    nonce                 text,
    -- the hash of the secret a reader must present: the attempt binding, or the poll token of
    -- the stateless flow (LOGIN_REQUIRE_STATE=false)
    binding_hash          bytea       NOT NULL,
    -- secrets: sealed, each nulled as soon as it is no longer needed
    code_hmac             bytea       NOT NULL,
    code_sealed           bytea,
    pkce_verifier_sealed  bytea,
    kakao_token_sealed    bytea,
    -- delivery of the app tokens to the attempt: the first read mints them (a session and its
    -- first refresh token, kept sealed here for re-reads within the delivery window)
    session_id            uuid,
    delivered_at          timestamptz,
    refresh_token_sealed  bytea,
    CONSTRAINT login_jobs_login_id_key UNIQUE (login_id),
    CONSTRAINT login_jobs_code_hmac_key UNIQUE (code_hmac),
    CONSTRAINT login_jobs_state_check CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    CONSTRAINT login_jobs_stage_check CHECK (stage IN ('exchange', 'profile', 'done')),
    CONSTRAINT login_jobs_attempt_check CHECK (attempt >= 0 AND max_attempts >= 1),
    CONSTRAINT login_jobs_deadline_check CHECK (deadline_at > created_at),
    CONSTRAINT login_jobs_errors_check CHECK (jsonb_typeof(errors) = 'array'),
    CONSTRAINT login_jobs_provider_check CHECK (provider ~ '^[a-z][a-z0-9_]{0,31}$'),
    CONSTRAINT login_jobs_hash_length_check CHECK (length(code_hmac) = 32 AND length(binding_hash) = 32),
    -- timestamps follow the state
    CONSTRAINT login_jobs_queued_check CHECK (
        state <> 'queued' OR (lease_expires_at IS NULL AND locked_by IS NULL AND finished_at IS NULL)),
    CONSTRAINT login_jobs_running_check CHECK (
        state <> 'running' OR (lease_expires_at IS NOT NULL AND locked_by IS NOT NULL
                               AND started_at IS NOT NULL AND finished_at IS NULL AND attempt >= 1)),
    CONSTRAINT login_jobs_finished_check CHECK (
        (state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)),
    CONSTRAINT login_jobs_finished_unleased_check CHECK (
        finished_at IS NULL OR (lease_expires_at IS NULL AND locked_by IS NULL)),
    CONSTRAINT login_jobs_succeeded_check CHECK (
        state <> 'succeeded' OR (stage = 'done' AND user_id IS NOT NULL AND is_new_user IS NOT NULL
                                 AND failure_code IS NULL)),
    CONSTRAINT login_jobs_failed_check CHECK ((state = 'failed') = (failure_code IS NOT NULL)),
    CONSTRAINT login_jobs_delivery_check CHECK (
        (session_id IS NULL AND delivered_at IS NULL AND refresh_token_sealed IS NULL)
        OR (state = 'succeeded' AND session_id IS NOT NULL AND delivered_at IS NOT NULL)),
    -- the code is kept sealed only until Kakao answers the exchange
    CONSTRAINT login_jobs_code_check CHECK (stage = 'exchange' OR code_sealed IS NULL),
    CONSTRAINT login_jobs_exchange_sent_check CHECK (stage = 'exchange' OR exchange_sent_at IS NOT NULL),
    -- no secret outlives its job, except the code of a job that failed before the code was ever
    -- sent (an operator may requeue it while the code lives; the pruner nulls it after 10 minutes)
    CONSTRAINT login_jobs_secrets_check CHECK (
        finished_at IS NULL
        OR (kakao_token_sealed IS NULL
            AND ((code_sealed IS NULL AND pkce_verifier_sealed IS NULL)
                 OR (state = 'failed' AND exchange_sent_at IS NULL))))
) WITH (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000);

-- The claim scans only runnable rows; the rescuer and lease renewal only leased rows. Neither
-- predicate mentions now(), so the planner can use them for any "run_at <= now()" query.
CREATE INDEX login_jobs_runnable_idx ON login_jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX login_jobs_leased_idx ON login_jobs (lease_expires_at) WHERE state = 'running';
-- the pruner deletes finished jobs oldest first
CREATE INDEX login_jobs_finished_at_idx ON login_jobs (finished_at) WHERE finished_at IS NOT NULL;
-- the pruner nulls secrets that outlived their use: unsent codes of failed jobs (after 10 minutes)
-- and refresh tokens kept for re-delivery (after the 60-second window); both sets stay tiny
CREATE INDEX login_jobs_unsent_code_idx ON login_jobs (finished_at)
    WHERE finished_at IS NOT NULL AND code_sealed IS NOT NULL;
CREATE INDEX login_jobs_redelivery_idx ON login_jobs (delivered_at) WHERE refresh_token_sealed IS NOT NULL;
CREATE INDEX login_jobs_user_id_idx ON login_jobs (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX login_jobs_attempt_id_idx ON login_jobs (attempt_id) WHERE attempt_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- sessions: one per successful login delivered to a client; a session is one refresh-token family.
CREATE TABLE sessions (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider         text        NOT NULL DEFAULT 'kakao',
    login_job_id     bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL DEFAULT now() + interval '30 days',
    refreshed_at     timestamptz,
    revoked_at       timestamptz,
    revoked_reason   text,
    CONSTRAINT sessions_expiry_check CHECK (expires_at > created_at),
    CONSTRAINT sessions_revoked_check CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CONSTRAINT sessions_revoked_reason_check CHECK (
        revoked_reason IS NULL OR revoked_reason IN ('logout', 'refresh_token_reuse', 'admin', 'user_deleted'))
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- ---------------------------------------------------------------------------------------------
-- refresh_tokens: opaque tokens stored as SHA-256 hashes, rotated on every use. A token's child is
-- the token that replaced it; presenting a rotated token again revokes the whole family
-- (the session), except within a short grace window.
CREATE TABLE refresh_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id   uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash   bytea       NOT NULL,
    parent_id    bigint      REFERENCES refresh_tokens (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    rotated_at   timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT refresh_tokens_one_child_key UNIQUE (parent_id),
    CONSTRAINT refresh_tokens_hash_length_check CHECK (length(token_hash) = 32),
    CONSTRAINT refresh_tokens_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

COMMENT ON TABLE login_jobs IS 'One row per posted authorization code; see sql/ops/ for operator queries.';
COMMENT ON COLUMN login_jobs.login_id IS 'The public id a frontend polls; id is internal.';
COMMENT ON COLUMN login_jobs.errors IS 'One entry per failed attempt: time, attempt, stage, class, provider error. Never Kakao''s text.';
COMMENT ON COLUMN login_jobs.exchange_sent_at IS 'Set by the claim of an exchange-stage job, before the code may be sent to Kakao.';
