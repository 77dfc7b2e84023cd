import Foundation
import Postgres

/// Erasing an account (`DELETE /me`), as table expressions for the caller's statement: the
/// worker erases the account in the statement that ends the deletion job. Made by
/// ``UserAccounts/erasure(of:when:erased:)``.
///
/// In one statement: every session of the user ends with its refresh family (`user_deleted`);
/// the user's profile (name, image, email) is erased and `deleted_at` set; every identity of
/// the user is unlinked (`account_deletion`, unless unlinked before) and its provider profile
/// erased. What stays is what the audit trail and the providers need, without personal data:
/// the user's id, and each identity's provider, subject and, until the provider has
/// disconnected the app, the sealed token that does so. A later login with one of those
/// identities makes a new user. Erasing twice changes nothing more.
public struct AccountErasure: Sendable {
    /// The caller's `WITH` entries: `erased` and the fixed names `erased_sessions`,
    /// `erased_sessions_tokens` and `erased_identities`, which the caller must not use.
    public let expressions: SQLFragment
    /// Yields the user's id when the users row was erased (no row when the user is unknown).
    public let erased: SQLTable
}

extension UserAccounts {
    /// The erasure of the user `userID`, written when `source` (a table expression of the caller,
    /// such as one that locked the job) yields a row.
    public func erasure(of userID: SQLColumn<UUID>, when source: SQLTable, erased: SQLTable) -> AccountErasure {
        let sessions = SQLTable("erased_sessions")
        let expressions: SQLFragment = """
            \(SessionRevocation.expressions(sessions, where: "user_id IN (SELECT \(userID) FROM \(source))", reason: .userDeleted)),
            erased_identities AS (
                UPDATE user_identities
                SET unlinked_at = coalesce(unlinked_at, now()), unlinked_by = coalesce(unlinked_by, 'account_deletion'),
                    nickname = NULL, profile_image_url = NULL, thumbnail_image_url = NULL, email = NULL, email_verified = false,
                    updated_at = now()
                WHERE user_id IN (SELECT \(userID) FROM \(source))
            ), \(erased) AS (
                UPDATE users
                SET display_name = NULL, profile_image_url = NULL, email = NULL, email_verified = false,
                    deleted_at = coalesce(deleted_at, now()), updated_at = now()
                WHERE id IN (SELECT \(userID) FROM \(source))
                RETURNING id
            )
            """
        return AccountErasure(expressions: expressions, erased: erased)
    }
}
