import Foundation

/// Base64 helpers that accept the standard and the URL-safe alphabet, with or without padding.
enum Base64 {
    static func decode(_ text: String) -> Data? {
        var normalized = text.trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        let remainder = normalized.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { normalized += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: normalized)
    }
}
