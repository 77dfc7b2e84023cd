-- 0010_session_devices.sql — what a user sees of their sessions on GET /me/sessions: the kind of
-- browser or app that signed in and, roughly, from where. Never a token, never a full address.
--
-- user_agent_family: a short name read from the User-Agent of the request that received the
-- session's tokens ('Chrome', 'Safari', 'KakaoTalk', 'curl', …; 'other' when not recognised).
-- client_network: that request's client address cut to its network (an IPv4 /24 or an IPv6 /48),
-- enough for "a new sign-in from another network", too little to locate anyone.
-- Sessions created before this migration have neither.

ALTER TABLE sessions
    ADD COLUMN user_agent_family text,
    ADD COLUMN client_network text,
    ADD CONSTRAINT sessions_user_agent_family_check CHECK (char_length(user_agent_family) BETWEEN 1 AND 32),
    ADD CONSTRAINT sessions_client_network_check CHECK (char_length(client_network) BETWEEN 1 AND 64);
COMMENT ON COLUMN sessions.user_agent_family IS 'The browser or app family of the sign-in (never the full User-Agent).';
COMMENT ON COLUMN sessions.client_network IS 'The sign-in''s client network: an IPv4 /24 or an IPv6 /48, never the address.';
