import Foundation
import Postgres

/// A signup-or-login (or a link) written as table expressions for the caller's statement, and
/// what they yield. Made by ``UserAccounts/upsert(_:when:identity:account:)``.
///
/// ```swift
/// let held = SQLTable("held")
/// let upsert = try accounts.upsert(profile, when: held, identity: SQLTable("identity"), account: SQLTable("account"))
/// try await pool.query(
///     """
///     WITH held AS (SELECT id FROM login_jobs WHERE … FOR UPDATE), \(upsert.expressions)
///     UPDATE login_jobs j SET user_id = \(upsert.userID), is_new_user = \(upsert.isNewUser)
///     FROM \(held), \(upsert.account) WHERE j.id = held.id
///     """)
/// ```
public struct AccountUpsert: Sendable {
    /// `identity AS (…), account AS (…)` under the caller's names, for its `WITH` list.
    public let expressions: SQLFragment
    /// The expression that yields the account: one row when the upsert ran, none otherwise.
    public let account: SQLTable
    /// `users.id` of the account.
    public let userID: SQLColumn<UUID>
    /// `user_identities.id` of the identity written (a column of the `identity` expression).
    public let identityID: SQLColumn<Int64>
    /// True when this statement created the user (a signup), false for a login.
    public let isNewUser: SQLColumn<Bool>
    /// Yields one row when the login or link was refused (and `account` none): its ``refusal``
    /// says why.
    public let refused: SQLTable
    /// `identity_already_linked` (another user holds the identity), `provider_already_linked`
    /// (the user holds another identity of this provider) or `provider_unlinked` (the provider
    /// unlinked the identity while the login ran): the failure code to report.
    public let refusal: SQLColumn<String>
}
