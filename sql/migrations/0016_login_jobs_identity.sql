-- 0016_login_jobs_identity.sql — the identity a login signed in with, on its job.
--
-- Kakao's unlink callback may arrive while a login of that user is in flight. The worker refuses
-- to complete a login whose identity the provider unlinked since the job was created
-- (provider_unlinked), and the first read refuses to mint a session for it: it locks this
-- identity row, the row the callback updates, so the two cannot pass each other unseen.
-- No foreign key: identities are never deleted, and the check would cost every completion a
-- lookup and a row lock.

ALTER TABLE login_jobs ADD COLUMN identity_id bigint;
COMMENT ON COLUMN login_jobs.identity_id IS 'user_identities.id of a succeeded login (the identity it signed in or linked).';
