import Foundation
import Postgres

/// A user as `/me` and a succeeded login return it. Its JSON is the HTTP API's:
/// `{"id", "display_name", "profile_image_url", "email", "email_verified", "created_at"}`, with
/// the id in lowercase and `created_at` in ISO 8601 (UTC, milliseconds), whatever the encoder's
/// date strategy.
public struct UserRecord: Sendable, Hashable, Codable {
    /// `users.id`.
    public let id: UUID
    /// The user's display name (first filled from the provider's nickname; the user may edit it).
    public let displayName: String?
    /// The user's profile image URL.
    public let profileImageURL: String?
    /// The user's email address, if known.
    public let email: String?
    /// Whether ``email`` is verified (by the provider when it came from there).
    public let emailVerified: Bool
    /// When the user signed up (database clock).
    public let createdAt: Date

    public init(
        id: UUID,
        displayName: String?,
        profileImageURL: String?,
        email: String?,
        emailVerified: Bool,
        createdAt: Date
    ) {
        self.id = id
        self.displayName = displayName
        self.profileImageURL = profileImageURL
        self.email = email
        self.emailVerified = emailVerified
        self.createdAt = createdAt
    }

    /// The columns ``init(row:)`` reads, of the `users` row named `alias` in the caller's query.
    public static func columns(of alias: StaticString) -> SQLFragment {
        let a = "\(alias)"
        return SQLFragment(
            stringLiteral: "\(a).id, \(a).display_name, \(a).profile_image_url, \(a).email, \(a).email_verified, \(a).created_at"
        )
    }

    /// Reads the columns ``columns(of:)`` names: `id`, `display_name`, `profile_image_url`,
    /// `email`, `email_verified` and `created_at`.
    public init(row: PostgresRow) throws {
        self.init(
            id: try row.decode(UUID.self, "id"),
            displayName: try row.decode(String?.self, "display_name"),
            profileImageURL: try row.decode(String?.self, "profile_image_url"),
            email: try row.decode(String?.self, "email"),
            emailVerified: try row.decode(Bool.self, "email_verified"),
            createdAt: try row.decode(Date.self, "created_at")
        )
    }

    enum CodingKeys: String, CodingKey {
        case id
        case displayName = "display_name"
        case profileImageURL = "profile_image_url"
        case email
        case emailVerified = "email_verified"
        case createdAt = "created_at"
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let idText = try container.decode(String.self, forKey: .id)
        guard let id = UUID(uuidString: idText) else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "not a UUID")
        }
        let createdText = try container.decode(String.self, forKey: .createdAt)
        guard let createdAt = try? Self.timestampStyle.parse(createdText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .createdAt,
                in: container,
                debugDescription: "not an ISO 8601 timestamp with fractional seconds"
            )
        }
        self.init(
            id: id,
            displayName: try container.decodeIfPresent(String.self, forKey: .displayName),
            profileImageURL: try container.decodeIfPresent(String.self, forKey: .profileImageURL),
            email: try container.decodeIfPresent(String.self, forKey: .email),
            emailVerified: try container.decode(Bool.self, forKey: .emailVerified),
            createdAt: createdAt
        )
    }

    /// Writes every key; a missing value is `null`, so clients see a stable shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(profileImageURL, forKey: .profileImageURL)
        try container.encode(email, forKey: .email)
        try container.encode(emailVerified, forKey: .emailVerified)
        try container.encode(createdAt.formatted(Self.timestampStyle), forKey: .createdAt)
    }
}
