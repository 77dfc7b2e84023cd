import Foundation

/// The outcome of ``UserAccounts/upsert(_:on:)``: who logged in, and whether this login signed
/// them up.
public struct UpsertedUser: Sendable, Hashable {
    /// `users.id`.
    public let userID: UUID
    /// True when this login created the user (the frontend's `is_new_user`).
    public let isNewUser: Bool

    public init(userID: UUID, isNewUser: Bool) {
        self.userID = userID
        self.isNewUser = isNewUser
    }
}
