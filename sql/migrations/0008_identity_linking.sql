-- 0008_identity_linking.sql — identities linked by a signed-in user, and unlinked.
--
-- A login never links identities by matching email (that is how accounts get taken over): a
-- signed-in user links another provider's identity to their account explicitly, by starting a
-- login with "link": true and their Bearer token. The attempt and then the job carry that user;
-- the worker links the identity to them, or fails the login with identity_already_linked when the
-- identity belongs to another user, changing nothing.
--
-- An identity is unlinked by its user (DELETE /me/identities/{provider}) or by the provider
-- (Kakao's unlink callback): unlinked_at is set, the row stays for the record. Logging in again
-- with an unlinked identity makes a new user, as a new identity would.

ALTER TABLE login_attempts
    ADD COLUMN link_user_id uuid REFERENCES users (id) ON DELETE CASCADE;
COMMENT ON COLUMN login_attempts.link_user_id IS 'The signed-in user this login links its identity to ("link": true), else NULL.';
COMMENT ON COLUMN login_attempts.client_ip IS 'What the per-client cap counts: the IPv4 address, or the IPv6 /64 (LOGIN_IPV6_CLIENT_PREFIX).';

ALTER TABLE login_jobs
    ADD COLUMN link_user_id uuid REFERENCES users (id) ON DELETE CASCADE;
COMMENT ON COLUMN login_jobs.link_user_id IS 'The signed-in user this login links its identity to, else NULL (a sign-in).';

ALTER TABLE user_identities
    ADD COLUMN linked_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN unlinked_at timestamptz;
-- Identities older than this migration were linked when they were created.
UPDATE user_identities SET linked_at = created_at;
ALTER TABLE user_identities
    ADD CONSTRAINT user_identities_unlinked_check CHECK (unlinked_at IS NULL OR unlinked_at >= linked_at);
COMMENT ON COLUMN user_identities.unlinked_at IS 'Set when the user or the provider unlinked it; a later login with it makes a new user.';
