import Foundation
import Postgres

/// A session and its first refresh token, written as two table expressions for the caller's
/// statement, and what they yield. Made by ``PendingSession/creation(userID:provider:loginJobID:when:session:refreshToken:)``.
public struct SessionCreation: Sendable {
    /// `session AS (…), refresh_token AS (…)` under the caller's names, for its `WITH` list.
    public let expressions: SQLFragment
    /// Yields one row once both the session and its token are written, none otherwise.
    public let created: SQLTable
    /// The new session's id, a column of ``created``.
    public let sessionID: SQLColumn<UUID>
}
