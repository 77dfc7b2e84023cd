-- One user's story, oldest first: logins and their failures, links and unlinks, logouts, revoked
-- sessions, refresh-token reuse, the account's deletion (the audit trail, auth_events, through
-- the auth_timeline view). `kakao-login audit --user ID` prints the same.
-- Usage: psql -v user_id=<uuid> -f sql/ops/user_timeline.sql
SELECT occurred_at, event, provider, detail, session_id, login_id, client_network, request_id
FROM auth_timeline WHERE user_id = :'user_id'
ORDER BY occurred_at, id;
