import Postgres

extension UserAccounts {
    /// The signup-or-login of ``upsert(_:when:linkingTo:unlinkedSince:sealedProviderToken:identity:account:refused:)``
    /// for many profiles at once, none of them a link: the table expressions a batch of logins
    /// completes with, in one statement.
    ///
    /// `source` yields one row per login, with the columns `provider`, `subject`, `nickname`,
    /// `profile_image_url`, `thumbnail_image_url`, `email`, `email_verified`,
    /// `provider_token_sealed`, `consent_scopes` (`text[]`) and `unlinked_since` (when the login
    /// began), each a profile that upsert accepted alone. Each row is written as that upsert
    /// writes it alone: `identity` yields `user_id`, `id`, `provider` and `subject` of each
    /// identity written, `account` the `id` and `inserted` of each user. A row of `source` whose
    /// identity `identity` does not yield was refused: the provider unlinked it since the login
    /// began (`provider_unlinked`).
    ///
    /// Two rows of `source` with one identity, or identities of one user, make the statement fail
    /// (a row cannot be upserted twice in one statement): the caller then writes each alone.
    /// Identities and users are written in key order, so that two such statements at once lock
    /// their rows in the same order.
    public func upsertEach(_ source: SQLTable, identity: SQLTable, account: SQLTable) -> SQLFragment {
        """
        \(identity) AS (
            \(Self.identityInsert)
            SELECT provider, subject, gen_random_uuid(), nickname, profile_image_url, thumbnail_image_url, email, email_verified,
                   provider_token_sealed, consent_scopes
            FROM \(source)
            ORDER BY provider, subject
            \(Self.identityOnConflict)
            -- a login the provider's unlink callback overtook writes nothing (provider_unlinked)
            WHERE NOT coalesce(
                i.unlinked_by = 'provider'
                AND i.unlinked_at >= (SELECT s.unlinked_since FROM \(source) s WHERE s.provider = excluded.provider AND s.subject = excluded.subject),
                false)
            RETURNING i.user_id, i.id, i.provider, i.subject
        ), \(account) AS (
            \(Self.userInsert)
            SELECT w.user_id, s.nickname, s.profile_image_url, s.email, s.email_verified, now()
            FROM \(identity) w JOIN \(source) s ON s.provider = w.provider AND s.subject = w.subject
            ORDER BY w.user_id
            \(Self.userOnConflict)
            RETURNING u.id, (u.xmax = 0) AS inserted
        )
        """
    }
}
