-- A user from one of their provider identities (Kakao's user/me `id`, Google's `sub`), with all
-- their identities (unlinked ones too) and their sessions, newest first.
-- The provider is `kakao` or `google`; an emulator's made-up identities are `kakao_emulator` and
-- `google_emulator`.
-- Usage: psql -v provider=kakao -v subject=1376016924426814086 -f sql/ops/find_user_by_identity.sql
--        psql -v provider=google -v subject=108234567890123456789 -f sql/ops/find_user_by_identity.sql
SELECT u.id AS user_id, u.display_name, u.email_verified, u.created_at, u.last_login_at,
       i.provider, i.subject, i.nickname, i.login_count, i.unlinked_at
FROM user_identities k
JOIN users u ON u.id = k.user_id
JOIN user_identities i ON i.user_id = u.id
WHERE k.provider = :'provider' AND k.subject = :'subject'
ORDER BY i.created_at;

SELECT s.id AS session_id, s.created_at, s.refreshed_at, s.expires_at, s.revoked_at, s.revoked_reason,
       s.user_agent_family, s.client_network
FROM user_identities k JOIN sessions s ON s.user_id = k.user_id
WHERE k.provider = :'provider' AND k.subject = :'subject'
ORDER BY s.created_at DESC;
