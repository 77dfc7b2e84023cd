/// The shape of what a browser posts, checked before anything touches the database.
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

    private static func isURLSafe(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x5F
    }
}
