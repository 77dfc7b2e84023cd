import Accounts
import Base64Coding
import Crypto

/// Random secrets (states, attempt tokens, PKCE verifiers, nonces, poll tokens) and the hashes
/// that stand for them in the database.
enum SecretToken {
    /// `bytes` random bytes from the system's CSPRNG, base64url without padding.
    static func random(bytes: Int = 32) -> String {
        Base64URL.encode(SecureRandom.bytes(bytes))
    }

    /// SHA-256 of the UTF-8 text: how states, bindings and poll tokens are stored.
    static func sha256(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }

    /// The PKCE S256 challenge of a verifier (RFC 7636).
    static func codeChallenge(verifier: String) -> String {
        Base64URL.encode(sha256(verifier))
    }
}
