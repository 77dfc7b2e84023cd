import Foundation
import HTTPTypes
import Hummingbird

/// The origins of `CORS_ALLOWED_ORIGINS`, compared exactly (scheme, host and port; case-insensitive),
/// and the test for "this server's own origin".
struct AllowedOrigins: Sendable {
    private let origins: Set<String>

    init(_ origins: [String]) {
        self.origins = Set(origins.map(Self.normalized))
    }

    func allows(_ origin: String) -> Bool {
        origins.contains(Self.normalized(origin))
    }

    /// Whether `origin` names the host the request was sent to (its `Host`), whatever the
    /// scheme (TLS may end at a proxy in front of us).
    static func isOwn(_ origin: String, request: Request) -> Bool {
        guard let authority = request.head.authority?.lowercased(), let components = URLComponents(string: origin),
            let host = components.host?.lowercased(), components.scheme != nil
        else { return false }
        let port = components.port.map { ":\($0)" } ?? ""
        let originHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return originHost + port == authority
    }

    private static func normalized(_ origin: String) -> String {
        var text = origin.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
