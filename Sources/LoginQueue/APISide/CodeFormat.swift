/// The shape of what a browser or a native app posts, checked before anything touches the database.
enum CodeFormat {
    /// Kakao's codes are URL-safe base64-like strings, Google's the same with `/` (`4/0A…`);
    /// anything else is refused.
    static func isValidCode(_ code: String) -> Bool {
        let bytes = code.utf8
        return (1...512).contains(bytes.count) && bytes.allSatisfy { isURLSafe($0) || $0 == UInt8(ascii: "/") }
    }

    /// Our states are base64url; a state of another shape cannot be ours.
    static func isValidState(_ state: String) -> Bool {
        let bytes = state.utf8
        return (1...256).contains(bytes.count) && bytes.allSatisfy(isURLSafe)
    }

    /// Attempt and poll tokens are base64url of 32 bytes (43 characters).
    static func isValidToken(_ token: String) -> Bool {
        let bytes = token.utf8
        return (16...128).contains(bytes.count) && bytes.allSatisfy(isURLSafe)
    }

    /// A provider's access token as a native app posts it: RFC 6750's `b64token` (URL-safe
    /// base64 letters, `.`, `~`, `+`, `/`, then `=` padding), 16 to 1024 bytes — Kakao's are
    /// about 54; Kakao refuses longer ones itself (-2).
    static func isValidAccessToken(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        guard (16...1024).contains(bytes.count) else { return false }
        let body = bytes.prefix { $0 != UInt8(ascii: "=") }
        return !body.isEmpty && bytes.dropFirst(body.count).allSatisfy { $0 == UInt8(ascii: "=") }
            && body.allSatisfy {
                isURLSafe($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/")
            }
    }

    /// A compact JWS: three base64url parts, up to 8 KiB. (Its signature and claims are the
    /// worker's to check.)
    static func isValidIDToken(_ token: String) -> Bool {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return token.utf8.count <= 8192 && parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(isURLSafe) }
    }

    /// A nonce the app chose: 1 to 256 printable ASCII characters.
    static func isValidNonce(_ nonce: String) -> Bool {
        let bytes = nonce.utf8
        return (1...256).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }

    private static func isURLSafe(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x5F
    }
}
