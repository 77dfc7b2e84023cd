import Foundation
import Postgres

/// One session as its user (`GET /me/sessions`) and operators see it: never a token.
public struct SessionSummary: Sendable, Hashable {
    public let id: UUID
    /// The provider the session's login went through.
    public let provider: String
    public let createdAt: Date
    /// The session's last refresh, or its creation.
    public let lastUsedAt: Date
    /// When the refresh family ends.
    public let expiresAt: Date
    /// When it was revoked, and why; nil while active.
    public let revokedAt: Date?
    public let revokedReason: String?
    /// The client that received the session's tokens (unknown for sessions older than 0010).
    public let device: SessionDevice

    /// Active: not revoked and not expired at `now`.
    public func isActive(at now: Date = Date()) -> Bool { revokedAt == nil && expiresAt > now }

    init(row: PostgresRow) throws {
        id = try row.decode(UUID.self, "id")
        provider = try row.decode(String.self, "provider")
        createdAt = try row.decode(Date.self, "created_at")
        lastUsedAt = try row.decode(Date.self, "last_used_at")
        expiresAt = try row.decode(Date.self, "expires_at")
        revokedAt = try row.decode(Date?.self, "revoked_at")
        revokedReason = try row.decode(String?.self, "revoked_reason")
        device = SessionDevice(
            userAgentFamily: try row.decode(String?.self, "user_agent_family"),
            clientNetwork: try row.decode(String?.self, "client_network")
        )
    }
}
