-- A user from their Kakao id (the number Kakao's user/me calls `id`), with all identities and
-- the sessions that are still live.
-- Usage: psql -v kakao_id=1376016924426814086 -f sql/ops/find_user_by_kakao_id.sql
SELECT u.id AS user_id, u.display_name, u.email_verified, u.created_at, u.last_login_at,
       i.provider, i.subject, i.nickname, i.login_count
FROM user_identities k
JOIN users u ON u.id = k.user_id
JOIN user_identities i ON i.user_id = u.id
WHERE k.provider = 'kakao' AND k.subject = :'kakao_id';

SELECT s.id AS session_id, s.created_at, s.refreshed_at, s.expires_at, s.revoked_at, s.revoked_reason
FROM user_identities k JOIN sessions s ON s.user_id = k.user_id
WHERE k.provider = 'kakao' AND k.subject = :'kakao_id'
ORDER BY s.created_at DESC;
