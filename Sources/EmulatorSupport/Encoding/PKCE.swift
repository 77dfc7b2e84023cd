import Base64Coding
import Crypto

/// RFC 7636 proof keys: `S256` (`code_challenge = base64url(SHA256(code_verifier))`) and `plain`
/// (the challenge is the verifier).
package enum PKCE {
    /// How the challenge was made from the verifier.
    package enum Method: String, Sendable {
        case plain
        case s256 = "S256"
    }

    /// True when there was no challenge, or the verifier is well formed and matches it.
    package static func verifies(verifier: String?, challenge: String?, method: Method = .s256) -> Bool {
        guard let challenge else { return true }
        guard let verifier, isWellFormed(verifier) else { return false }
        switch method {
        case .s256: return Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8)))) == challenge
        case .plain: return verifier == challenge
        }
    }

    /// 43–128 characters of `[A-Za-z0-9-._~]`, for verifiers and challenges alike.
    package static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    true
                default: false
                }
            }
    }
}
