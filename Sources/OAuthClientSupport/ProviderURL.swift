import Foundation

/// The rule for every URL a client sends a code, token or secret to: https, or plain http only
/// for a loopback host (`localhost`, 127.0.0.0/8, `::1`); a host; no user info, query or fragment.
package enum ProviderURL {
    /// Why a URL was refused, as a sentence that names the setting (never the URL's secrets).
    package struct Refusal: Error {
        package let message: String
    }

    /// `text` if it follows the rule; with `trimmingTrailingSlash`, without trailing slashes (for
    /// base URLs that paths are appended to).
    package static func checked(_ text: String, name: String, trimmingTrailingSlash: Bool) throws(Refusal) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil,
            components.user == nil, components.password == nil
        else { throw Refusal(message: "\(name) is not a base URL (scheme://host[:port][/path])") }
        switch scheme {
        case "https": break
        case "http" where isLoopback(host): break
        case "http": throw Refusal(message: "\(name) must use https (plain http only for loopback hosts)")
        default: throw Refusal(message: "\(name) must be an https URL")
        }
        var normalized = text
        while trimmingTrailingSlash && normalized.hasSuffix("/") { normalized.removeLast() }
        return normalized
    }

    /// `localhost`, 127.0.0.0/8 or `::1`.
    package static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
