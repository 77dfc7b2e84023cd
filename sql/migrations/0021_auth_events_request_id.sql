-- 0021_auth_events_request_id.sql — the audit trail records the API request behind a change.
--
-- The statements the API runs for a request set the transaction-local `kakao_login.request_id`
-- (AuditContext.requestTag in the code); the triggers of 0015 now copy it into
-- auth_events.request_id (NULL for changes no request made: a worker's, an operator's in psql).
-- The request id is the X-Request-Id the API answered with and logged as request.id: from an
-- event an operator finds the request's log lines. The functions are replaced whole; only the
-- request_id column and its value are new.

ALTER TABLE auth_events
    ADD COLUMN request_id text,
    ADD CONSTRAINT auth_events_request_id_check CHECK (char_length(request_id) BETWEEN 1 AND 128);
COMMENT ON COLUMN auth_events.request_id IS 'The API request (X-Request-Id, request.id in the logs) that made the change; NULL for workers and psql.';

-- The request of the current transaction, if an API statement set it.
CREATE FUNCTION auth_events_request_id() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('kakao_login.request_id', true), '')
$$;

CREATE OR REPLACE FUNCTION auth_events_job_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'account_deletion' THEN
        -- a success is recorded as account_deleted, by the users row the same statement erased
        IF NEW.state = 'failed' THEN
            INSERT INTO auth_events (event, user_id, provider, login_id, request_id, detail)
            VALUES ('account_deletion_failed', NEW.user_id, NULL, NEW.login_id, auth_events_request_id(),
                    jsonb_strip_nulls(jsonb_build_object('failure_code', NEW.failure_code, 'provider_error', NEW.provider_error)));
        END IF;
        RETURN NULL;
    END IF;
    INSERT INTO auth_events (event, user_id, provider, login_id, request_id, client_network, detail)
    SELECT CASE
               WHEN NEW.state = 'failed' THEN 'login_failed'
               WHEN NEW.link_user_id IS NOT NULL THEN 'identity_linked'
               ELSE 'login_succeeded'
           END,
           coalesce(NEW.user_id, NEW.link_user_id), NEW.provider, NEW.login_id, auth_events_request_id(),
           (SELECT auth_events_network(a.client_ip) FROM login_attempts a WHERE a.id = NEW.attempt_id),
           jsonb_strip_nulls(jsonb_build_object(
               'is_new_user', CASE WHEN NEW.link_user_id IS NULL THEN NEW.is_new_user END,
               'failure_code', NEW.failure_code, 'provider_error', NEW.provider_error));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION auth_events_deletion_requested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_events (event, user_id, login_id, request_id)
    VALUES ('account_deletion_requested', NEW.user_id, NEW.login_id, auth_events_request_id());
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION auth_events_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_events (event, user_id, provider, session_id, request_id, client_network, detail)
    VALUES (CASE NEW.revoked_reason
                WHEN 'logout' THEN 'logout'
                WHEN 'refresh_token_reuse' THEN 'refresh_token_reuse_detected'
                ELSE 'session_revoked'
            END,
            NEW.user_id, NEW.provider, NEW.id, auth_events_request_id(), NEW.client_network,
            CASE WHEN NEW.revoked_reason IN ('logout', 'refresh_token_reuse') THEN '{}'::jsonb
                 ELSE jsonb_build_object('reason', NEW.revoked_reason) END);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION auth_events_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.unlinked_at IS NULL AND NEW.unlinked_at IS NOT NULL THEN
        INSERT INTO auth_events (event, user_id, provider, request_id, detail)
        VALUES ('identity_unlinked', NEW.user_id, NEW.provider, auth_events_request_id(),
                jsonb_strip_nulls(jsonb_build_object('by', NEW.unlinked_by)));
    END IF;
    IF OLD.provider_disconnected_at IS NULL AND NEW.provider_disconnected_at IS NOT NULL THEN
        INSERT INTO auth_events (event, user_id, provider, request_id)
        VALUES ('provider_disconnected', NEW.user_id, NEW.provider, auth_events_request_id());
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION auth_events_account_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_events (event, user_id, request_id) VALUES ('account_deleted', NEW.id, auth_events_request_id());
    RETURN NULL;
END
$$;

-- The timeline shows it too (a view gains columns only at its end).
CREATE OR REPLACE VIEW auth_timeline AS
SELECT
    e.occurred_at, e.user_id, e.event, e.provider,
    coalesce((SELECT string_agg(key || '=' || value, ' ' ORDER BY key) FROM jsonb_each_text(e.detail)), '') AS detail,
    e.session_id, e.login_id, e.client_network, e.id,
    e.request_id
FROM auth_events e;
