-- 0015_auth_events.sql — the audit trail: what happened to an account, for an operator in psql.
--
--   SELECT * FROM auth_timeline WHERE user_id = '…' ORDER BY occurred_at, id;
--   (or sql/ops/user_timeline.sql, or `kakao-login audit --user ID`)
--
-- One row per change, written by triggers on the rows that change, so every path that makes the
-- change records it — the API, the worker, the unlink callback, an operator's psql — in the same
-- transaction: none is lost (a rolled-back change leaves no event) and none is invented (a refused
-- request changes nothing, so it records nothing).
--
--   event                         written when
--   login_succeeded               a login job succeeds (detail: is_new_user)
--   login_failed                  a login job fails (detail: failure_code, provider_error)
--   identity_linked               a link job succeeds ("link": true)
--   identity_unlinked             user_identities.unlinked_at is set (detail: by = user | provider | account_deletion)
--   provider_disconnected         the provider confirmed the app is disconnected (our unlink or revoke, or its callback)
--   logout                        a session ends by logout (POST /auth/logout, logout-all, DELETE /me/sessions/{id})
--   refresh_token_reuse_detected  a rotated refresh token came back after the grace window: its session ends
--   session_revoked               a session ends for another reason (detail: reason = admin | user_deleted | provider_unlinked)
--   account_deletion_requested    DELETE /me queued the deletion
--   account_deleted               the account's personal data was erased (users.deleted_at set)
--   account_deletion_failed       a provider could not be told before the deadline (detail: failure_code, provider_error)
--
-- Never a token, a code or an email: the events carry ids, provider names, reasons, and the
-- client's network (an IPv4 /24 or an IPv6 /48), never a full address. Rows are pruned after
-- AUDIT_RETENTION_DAYS (default 365) by the worker's pruner; they are never updated.

CREATE TABLE auth_events (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    event           text        NOT NULL,
    user_id         uuid,
    provider        text,
    session_id      uuid,
    login_id        uuid,
    client_network  text,
    detail          jsonb       NOT NULL DEFAULT '{}',
    CONSTRAINT auth_events_event_check CHECK (event IN (
        'login_succeeded', 'login_failed', 'identity_linked', 'identity_unlinked', 'provider_disconnected', 'logout',
        'refresh_token_reuse_detected', 'session_revoked', 'account_deletion_requested', 'account_deleted',
        'account_deletion_failed')),
    CONSTRAINT auth_events_detail_check CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX auth_events_user_idx ON auth_events (user_id, occurred_at) WHERE user_id IS NOT NULL;
CREATE INDEX auth_events_occurred_at_idx ON auth_events (occurred_at);
COMMENT ON TABLE auth_events IS 'The audit trail: one row per account change, written by triggers in the same transaction. Never a token, code or email.';
COMMENT ON COLUMN auth_events.login_id IS 'The login (or deletion) job behind the event, when there is one.';
COMMENT ON COLUMN auth_events.client_network IS 'The client''s IPv4 /24 or IPv6 /48, never the address.';

-- Append-only: an event is never changed (the pruner deletes old ones).
CREATE FUNCTION auth_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'auth_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER auth_events_append_only BEFORE UPDATE ON auth_events
    FOR EACH ROW EXECUTE FUNCTION auth_events_refuse_update();

-- The network of a client address as the audit trail keeps it: IPv4 /24, IPv6 /48.
CREATE FUNCTION auth_events_network(address inet) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE family(address)
        WHEN 4 THEN network(set_masklen(address, least(masklen(address), 24)))::text
        ELSE network(set_masklen(address, least(masklen(address), 48)))::text
    END
$$;

-- A login or deletion job ended.
CREATE FUNCTION auth_events_job_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'account_deletion' THEN
        -- a success is recorded as account_deleted, by the users row the same statement erased
        IF NEW.state = 'failed' THEN
            INSERT INTO auth_events (event, user_id, provider, login_id, detail)
            VALUES ('account_deletion_failed', NEW.user_id, NULL, NEW.login_id,
                    jsonb_strip_nulls(jsonb_build_object('failure_code', NEW.failure_code, 'provider_error', NEW.provider_error)));
        END IF;
        RETURN NULL;
    END IF;
    INSERT INTO auth_events (event, user_id, provider, login_id, client_network, detail)
    SELECT CASE
               WHEN NEW.state = 'failed' THEN 'login_failed'
               WHEN NEW.link_user_id IS NOT NULL THEN 'identity_linked'
               ELSE 'login_succeeded'
           END,
           coalesce(NEW.user_id, NEW.link_user_id), NEW.provider, NEW.login_id,
           (SELECT auth_events_network(a.client_ip) FROM login_attempts a WHERE a.id = NEW.attempt_id),
           jsonb_strip_nulls(jsonb_build_object(
               'is_new_user', CASE WHEN NEW.link_user_id IS NULL THEN NEW.is_new_user END,
               'failure_code', NEW.failure_code, 'provider_error', NEW.provider_error));
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_events_job_ended AFTER UPDATE OF state ON login_jobs
    FOR EACH ROW WHEN (NEW.state IN ('succeeded', 'failed') AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION auth_events_job_ended();

-- DELETE /me queued a deletion.
CREATE FUNCTION auth_events_deletion_requested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_events (event, user_id, login_id) VALUES ('account_deletion_requested', NEW.user_id, NEW.login_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_events_deletion_requested AFTER INSERT ON login_jobs
    FOR EACH ROW WHEN (NEW.kind = 'account_deletion')
    EXECUTE FUNCTION auth_events_deletion_requested();

-- A session ended.
CREATE FUNCTION auth_events_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_events (event, user_id, provider, session_id, client_network, detail)
    VALUES (CASE NEW.revoked_reason
                WHEN 'logout' THEN 'logout'
                WHEN 'refresh_token_reuse' THEN 'refresh_token_reuse_detected'
                ELSE 'session_revoked'
            END,
            NEW.user_id, NEW.provider, NEW.id, NEW.client_network,
            CASE WHEN NEW.revoked_reason IN ('logout', 'refresh_token_reuse') THEN '{}'::jsonb
                 ELSE jsonb_build_object('reason', NEW.revoked_reason) END);
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_events_session_ended AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION auth_events_session_ended();

-- An identity was unlinked, or the provider disconnected the app.
CREATE FUNCTION auth_events_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.unlinked_at IS NULL AND NEW.unlinked_at IS NOT NULL THEN
        INSERT INTO auth_events (event, user_id, provider, detail)
        VALUES ('identity_unlinked', NEW.user_id, NEW.provider, jsonb_strip_nulls(jsonb_build_object('by', NEW.unlinked_by)));
    END IF;
    IF OLD.provider_disconnected_at IS NULL AND NEW.provider_disconnected_at IS NOT NULL THEN
        INSERT INTO auth_events (event, user_id, provider) VALUES ('provider_disconnected', NEW.user_id, NEW.provider);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_events_identity_changed AFTER UPDATE OF unlinked_at, provider_disconnected_at ON user_identities
    FOR EACH ROW WHEN ((OLD.unlinked_at IS NULL AND NEW.unlinked_at IS NOT NULL)
                       OR (OLD.provider_disconnected_at IS NULL AND NEW.provider_disconnected_at IS NOT NULL))
    EXECUTE FUNCTION auth_events_identity_changed();

-- An account was erased.
CREATE FUNCTION auth_events_account_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_events (event, user_id) VALUES ('account_deleted', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER auth_events_account_deleted AFTER UPDATE OF deleted_at ON users
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION auth_events_account_deleted();

-- One user's story, oldest first, as an operator reads it.
CREATE VIEW auth_timeline AS
SELECT
    e.occurred_at, e.user_id, e.event, e.provider,
    coalesce((SELECT string_agg(key || '=' || value, ' ' ORDER BY key) FROM jsonb_each_text(e.detail)), '') AS detail,
    e.session_id, e.login_id, e.client_network, e.id
FROM auth_events e;
COMMENT ON VIEW auth_timeline IS 'auth_events with the detail as key=value text; filter by user_id and order by occurred_at, id.';
