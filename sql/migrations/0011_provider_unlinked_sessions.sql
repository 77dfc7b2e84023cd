-- 0011_provider_unlinked_sessions.sql — a session may end because the provider says the user
-- disconnected the app (Kakao's unlink callback, /hooks/kakao/unlink): revoked_reason
-- 'provider_unlinked'. The rule is otherwise the one of 0001.

ALTER TABLE sessions DROP CONSTRAINT sessions_revoked_reason_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_revoked_reason_check CHECK (
    revoked_reason IS NULL OR revoked_reason IN ('logout', 'refresh_token_reuse', 'admin', 'user_deleted', 'provider_unlinked'));
