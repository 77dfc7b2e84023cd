-- 0009_one_identity_per_provider.sql — a user links at most one identity of each provider.
--
-- Linking a second Kakao account to a user who already has one fails the link with
-- provider_already_linked, changing nothing; this index is what makes that hold under two links
-- at once. Unlinked identities (unlinked_at set) stay for the record and do not count.

CREATE UNIQUE INDEX user_identities_one_per_provider_key ON user_identities (user_id, provider) WHERE unlinked_at IS NULL;
COMMENT ON INDEX user_identities_one_per_provider_key IS 'One linked identity per provider per user (provider_already_linked otherwise).';
