import Accounts
import Foundation

/// `GET /me/sessions`: the user's active sessions, most recently used first. Never a token.
struct SessionList: Encodable {
    struct Entry: Encodable {
        let id: String
        /// The provider the session's login went through, as its routes' segment.
        let provider: String
        let createdAt: String
        let lastUsedAt: String
        let expiresAt: String
        /// Whether the request's own access token belongs to this session.
        let current: Bool
        let userAgent: String?
        let clientNetwork: String?

        init(_ session: SessionSummary, route: String, current: Bool) {
            id = session.id.uuidString.lowercased()
            provider = route
            createdAt = session.createdAt.formatted(Self.timestamp)
            lastUsedAt = session.lastUsedAt.formatted(Self.timestamp)
            expiresAt = session.expiresAt.formatted(Self.timestamp)
            self.current = current
            userAgent = session.device.userAgentFamily
            clientNetwork = session.device.clientNetwork
        }

        private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

        enum CodingKeys: String, CodingKey {
            case id, provider, current
            case createdAt = "created_at"
            case lastUsedAt = "last_used_at"
            case expiresAt = "expires_at"
            case userAgent = "user_agent"
            case clientNetwork = "client_network"
        }

        /// Every member always present (`null` when unknown).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(provider, forKey: .provider)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(lastUsedAt, forKey: .lastUsedAt)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(current, forKey: .current)
            try container.encode(userAgent, forKey: .userAgent)
            try container.encode(clientNetwork, forKey: .clientNetwork)
        }
    }

    let sessions: [Entry]
}
