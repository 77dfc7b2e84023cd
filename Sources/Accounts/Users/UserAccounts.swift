import Foundation
import Postgres

/// Users and their provider identities: the one signup-or-login upsert, written into the
/// statement of the caller that completes a login (see ``AccountUpsert``).
///
/// Identities are found by (`provider`, `subject`), never by email.
public struct UserAccounts: Sendable {
    public init() {}

    /// Signs a user up or logs them in — or links the identity to a signed-in user — as two table
    /// expressions for the caller's statement (the worker completes the job in the statement that
    /// signs the user up), named `identity` and `account` by the caller. Nothing is written unless
    /// `source` — a table expression of the caller, such as one that locked the job — yields a
    /// row; it must yield at most one.
    ///
    /// - The identity is inserted, or on conflict of (`provider`, `subject`) its provider profile
    ///   is replaced by this one, `last_login_at` set and `login_count` incremented. Its consent
    ///   items (`consent_scopes`) become the profile's, or stay as they were when the profile
    ///   has none (the provider did not say).
    /// - A new identity gets a new user, whose display name, image and email are filled from the
    ///   profile. An existing user's fields are filled only while empty: what the user edited is
    ///   never overwritten. `email_verified` follows the email it belongs to: it is the
    ///   profile's when the user had no email, and becomes true when the provider verifies the
    ///   very address the user has.
    /// - An identity that was unlinked starts afresh, as a new identity would: a new user (or the
    ///   linking one), `linked_at` now, `login_count` 1.
    /// - With `linkingTo`, the identity goes to that user instead of a new one. If it belongs to
    ///   another user, or the user has another identity of this provider, nothing is written,
    ///   `account` yields no row and `refused` one, whose `refusal` is the failure code to
    ///   report. Users are never linked by matching email.
    ///
    /// - `unlinkedSince` (a column of `source`, the time the login began): when the provider
    ///   unlinked the identity (its unlink callback) at or after that time, nothing is written and
    ///   `refused` yields `provider_unlinked`: the user disconnected the app while this login ran,
    ///   so it must not sign them in. The check reads the identity row as the statement locks it,
    ///   so a callback that commits while this statement waits for the row is seen.
    /// - `sealedProviderToken` (the token that will disconnect the app at the provider, sealed
    ///   by the caller) replaces the identity's; none keeps the one a live identity had. A login
    ///   means the app is connected: `provider_disconnected_at` is cleared.
    ///
    /// Two logins of one user at once cannot create two users or deadlock: the identity's
    /// unique index makes the second statement wait for the first transaction and then take the
    /// update path; both lock the identity row first and the user row second.
    ///
    /// - Throws: ``AccountsError/Code/invalidProfile`` for a malformed provider or subject.
    public func upsert(
        _ profile: ProviderProfile,
        when source: SQLTable,
        linkingTo linkUserID: UUID? = nil,
        unlinkedSince: SQLColumn<Date>? = nil,
        sealedProviderToken: [UInt8]? = nil,
        identity: SQLTable,
        account: SQLTable,
        refused: SQLTable
    ) throws(AccountsError) -> AccountUpsert {
        guard profile.isStorable else { throw AccountsError(.invalidProfile, "malformed provider name or subject") }
        // The identity is written first with a fresh user id; the users row it points to is
        // inserted by the same statement (foreign keys are checked at the end of the statement).
        // `xmax = 0` holds only for a row this statement inserted, not for one it updated.
        let identityUserID = identity.column("user_id", as: UUID.self)
        // Another live identity of this provider held by the linking user (one per provider).
        let otherIdentity: SQLFragment = """
            (SELECT 1 FROM user_identities o WHERE o.user_id = \(linkUserID)::uuid AND o.provider = \(profile.provider)
             AND o.subject <> \(profile.subject) AND o.unlinked_at IS NULL)
            """
        // This identity, live and held by a user other than the linking one.
        let heldByAnother: SQLFragment = """
            (SELECT 1 FROM user_identities h WHERE h.provider = \(profile.provider) AND h.subject = \(profile.subject)
             AND h.unlinked_at IS NULL AND h.user_id <> \(linkUserID)::uuid)
            """
        // The provider unlinked this identity since the login began (checked on the locked row).
        let unlinkedMeanwhile: SQLFragment =
            if let unlinkedSince {
                "coalesce(i.unlinked_by = 'provider' AND i.unlinked_at >= (SELECT \(unlinkedSince) FROM \(source)), false)"
            } else {
                "false"
            }
        let expressions: SQLFragment = """
            \(identity) AS (
                \(Self.identityInsert)
                SELECT \(profile.provider), \(profile.subject), coalesce(\(linkUserID)::uuid, gen_random_uuid()), \(profile.nickname),
                       \(profile.profileImageURL), \(profile.thumbnailImageURL), \(profile.email), \(profile.emailVerified),
                       \(sealedProviderToken)::bytea, \(profile.consentScopes)
                FROM \(source)
                WHERE \(linkUserID)::uuid IS NULL OR NOT EXISTS \(otherIdentity)
                \(Self.identityOnConflict)
                -- linking an identity that another user holds writes nothing (identity_already_linked),
                -- nor does a login the provider's unlink callback overtook (provider_unlinked)
                WHERE (\(linkUserID)::uuid IS NULL OR i.unlinked_at IS NOT NULL OR i.user_id = \(linkUserID)::uuid)
                  AND NOT \(unlinkedMeanwhile)
                RETURNING i.user_id, i.id
            ), \(account) AS (
                \(Self.userInsert)
                SELECT \(identityUserID), \(profile.nickname), \(profile.profileImageURL), \(profile.email),
                       \(profile.emailVerified), now()
                FROM \(identity)
                \(Self.userOnConflict)
                RETURNING u.id, (u.xmax = 0) AS inserted
            ), \(refused) AS (
                -- a link: the identity's owner is the answer that matters most, then the user's other
                -- identity; a sign-in is refused only when the provider unlinked it meanwhile
                SELECT CASE
                           WHEN \(linkUserID)::uuid IS NOT NULL AND EXISTS \(heldByAnother) THEN 'identity_already_linked'
                           WHEN \(linkUserID)::uuid IS NOT NULL AND EXISTS \(otherIdentity) THEN 'provider_already_linked'
                           ELSE 'provider_unlinked'
                       END AS refusal
                FROM \(source)
                WHERE NOT EXISTS (SELECT 1 FROM \(account))
            )
            """
        return AccountUpsert(
            expressions: expressions,
            account: account,
            userID: account.column("id"),
            identityID: identity.column("id"),
            isNewUser: account.column("inserted"),
            refused: refused,
            refusal: refused.column("refusal")
        )
    }

    /// The identity row an upsert inserts: `INSERT INTO user_identities AS i (…)`, for a `SELECT`.
    static let identityInsert: SQLFragment = """
        INSERT INTO user_identities AS i
            (provider, subject, user_id, nickname, profile_image_url, thumbnail_image_url, email, email_verified,
             provider_token_sealed, consent_scopes)
        """

    /// What an identity that exists becomes (``upsert(_:when:linkingTo:unlinkedSince:sealedProviderToken:identity:account:refused:)``
    /// says what and why); the caller adds its `WHERE`.
    static let identityOnConflict: SQLFragment = """
        ON CONFLICT (provider, subject) DO UPDATE SET
            user_id = CASE WHEN i.unlinked_at IS NULL THEN i.user_id ELSE excluded.user_id END,
            linked_at = CASE WHEN i.unlinked_at IS NULL THEN i.linked_at ELSE now() END,
            login_count = CASE WHEN i.unlinked_at IS NULL THEN i.login_count + 1 ELSE 1 END,
            unlinked_at = NULL,
            unlinked_by = NULL,
            provider_disconnected_at = NULL,
            provider_token_sealed = coalesce(
                excluded.provider_token_sealed, CASE WHEN i.unlinked_at IS NULL THEN i.provider_token_sealed END),
            nickname = excluded.nickname,
            profile_image_url = excluded.profile_image_url,
            thumbnail_image_url = excluded.thumbnail_image_url,
            email = excluded.email,
            email_verified = excluded.email_verified,
            -- a provider that did not say keeps what it said last (not after an unlink)
            consent_scopes = CASE WHEN i.unlinked_at IS NULL THEN coalesce(excluded.consent_scopes, i.consent_scopes)
                                  ELSE excluded.consent_scopes END,
            updated_at = now(),
            last_login_at = now()
        """

    /// The user row an upsert inserts for its identity: `INSERT INTO users AS u (…)`, for a `SELECT`.
    static let userInsert: SQLFragment = """
        INSERT INTO users AS u (id, display_name, profile_image_url, email, email_verified, last_login_at)
        """

    /// What a user that exists becomes: fields filled only while empty, the login's time.
    static let userOnConflict: SQLFragment = """
        ON CONFLICT (id) DO UPDATE SET
            display_name = coalesce(u.display_name, excluded.display_name),
            profile_image_url = coalesce(u.profile_image_url, excluded.profile_image_url),
            email = coalesce(u.email, excluded.email),
            email_verified = CASE
                WHEN u.email IS NULL THEN excluded.email_verified
                ELSE u.email_verified OR (excluded.email_verified AND u.email = excluded.email)
            END,
            updated_at = CASE
                WHEN (u.display_name IS NULL AND excluded.display_name IS NOT NULL)
                  OR (u.profile_image_url IS NULL AND excluded.profile_image_url IS NOT NULL)
                  OR (u.email IS NULL AND excluded.email IS NOT NULL)
                  OR (NOT u.email_verified AND excluded.email_verified AND u.email = excluded.email)
                THEN now() ELSE u.updated_at
            END,
            last_login_at = now()
        """
}
