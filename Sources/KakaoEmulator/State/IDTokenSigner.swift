import Base64Coding
import Crypto
import Foundation
import Synchronization
import _CryptoExtras

/// The emulator's OIDC keys: RSA-2048, RS256, published as a JWKS. Signing builds the JWT by
/// hand (a precomputed header segment, the payload text, one RSA signature by ``RS256Signer``):
/// no JSON encoder on the hot path. Keys can be rotated at run time; retired keys stay in the JWKS.
final class IDTokenSigner: Sendable {
    private struct Key: Sendable {
        let kid: String
        let privateKey: _RSA.Signing.PrivateKey
        let signer: RS256Signer
        let headerSegment: String
        let jwk: String

        init(_ privateKey: _RSA.Signing.PrivateKey) throws {
            let publicKey = privateKey.publicKey
            let primitives = try publicKey.getKeyPrimitives()
            guard let signer = RS256Signer(derPrivateKey: Array(privateKey.derRepresentation)) else {
                throw KakaoEmulatorError(.invalidConfiguration, "OpenSSL cannot read the ID-token signing key")
            }
            self.privateKey = privateKey
            self.signer = signer
            self.kid = Base64URL.encode(Array(SHA256.hash(data: publicKey.derRepresentation)).prefix(16))
            self.headerSegment = Base64URL.encode(#"{"kid":"\#(kid)","typ":"JWT","alg":"RS256"}"#)
            var jwk = JSONObjectWriter()
            jwk.add("kid", kid)
            jwk.add("kty", "RSA")
            jwk.add("alg", "RS256")
            jwk.add("use", "sig")
            jwk.add("n", Base64URL.encode(primitives.modulus))
            jwk.add("e", Base64URL.encode(primitives.publicExponent))
            self.jwk = jwk.finish()
        }
    }

    private let keys: Mutex<(current: Key, retired: [Key])>

    /// Uses the PEM private key when given, else generates one.
    init(privateKeyPEM: String? = nil) throws(KakaoEmulatorError) {
        let key = try Self.makeKey(privateKeyPEM: privateKeyPEM)
        keys = Mutex((key, []))
    }

    private static func makeKey(privateKeyPEM: String?) throws(KakaoEmulatorError) -> Key {
        do {
            return try Key(
                privateKeyPEM.map { try _RSA.Signing.PrivateKey(pemRepresentation: $0) } ?? _RSA.Signing.PrivateKey(keySize: .bits2048)
            )
        } catch {
            throw KakaoEmulatorError(.invalidConfiguration, "the ID-token signing key is not a usable RSA private key")
        }
    }

    /// The kid new ID tokens carry.
    var currentKID: String { keys.withLock { $0.current.kid } }

    /// Replaces the signing key with a new one; the old one stays published.
    func rotate() throws {
        let key = try Key(_RSA.Signing.PrivateKey(keySize: .bits2048))
        keys.withLock { keys in
            keys.retired.insert(keys.current, at: 0)
            keys.current = key
        }
    }

    /// `{"keys":[…]}`, current key first.
    var jwksJSON: String {
        let (current, retired) = keys.withLock { ($0.current, $0.retired) }
        return #"{"keys":["# + ([current] + retired).map(\.jwk).joined(separator: ",") + "]}"
    }

    /// `header.payload.signature` for a payload given as JSON text.
    func sign(payloadJSON: String) throws -> String {
        let key = keys.withLock { $0.current }
        let signingInput = key.headerSegment + "." + Base64URL.encode(payloadJSON)
        guard let signature = key.signer.sign(Array(signingInput.utf8)) else {
            throw KakaoEmulatorError(.invalidConfiguration, "OpenSSL could not sign an ID token")
        }
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// The payload bytes of a JWT this emulator signed with a key it still publishes; nil when
    /// the token is malformed, names another key or algorithm, or its signature is wrong.
    func verifiedPayload(of token: String) -> [UInt8]? {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3,
            let headerBytes = Base64URL.decode(segments[0]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
            header["alg"] as? String == "RS256", let kid = header["kid"] as? String,
            let payload = Base64URL.decode(segments[1]), let signature = Base64URL.decode(segments[2])
        else { return nil }
        let key = keys.withLock { keys in ([keys.current] + keys.retired).first { $0.kid == kid } }
        guard let key,
            key.privateKey.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: Array(token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count)),
                padding: .insecurePKCS1v1_5
            )
        else { return nil }
        return payload
    }
}
