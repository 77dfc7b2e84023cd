import Foundation

/// A posted code, accepted (`202 {login_id, status: "pending"}`).
public struct EnqueuedLogin: Sendable, Equatable {
    /// The public id the frontend polls.
    public let loginID: UUID
    /// For the stateless flow (`LOGIN_REQUIRE_STATE=false`): the secret every read must present.
    public let pollToken: String?
    /// True when this post created the job; false when it was the same code posted again by the
    /// same attempt (StrictMode, a reload), which returns the same `login_id`.
    public let isNew: Bool
}
