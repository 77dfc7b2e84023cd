import Foundation
import Postgres

/// One linked identity as its user sees it: the provider, the email it shares, and when it was
/// linked and last used. (The provider's user id stays in the database.)
public struct IdentitySummary: Sendable, Hashable {
    /// The stored provider name (`kakao`, `google`, `kakao_emulator`, …).
    public let provider: String
    public let email: String?
    public let emailVerified: Bool
    public let linkedAt: Date
    public let lastLoginAt: Date

    init(row: PostgresRow) throws {
        provider = try row.decode(String.self, "provider")
        email = try row.decode(String?.self, "email")
        emailVerified = try row.decode(Bool.self, "email_verified")
        linkedAt = try row.decode(Date.self, "linked_at")
        lastLoginAt = try row.decode(Date.self, "last_login_at")
    }
}
