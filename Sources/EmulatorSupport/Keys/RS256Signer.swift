import CLibCrypto

/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signatures made by the platform's OpenSSL libcrypto.
///
/// The emulator signs one ID token per exchange with `openid`, and that RSA-2048 signature was
/// its largest cost per login (0.4 ms with swift-crypto's BoringSSL, whose Montgomery code does
/// not use AVX-512 IFMA; OpenSSL 3's does: about 0.2 ms here). PKCS#1 v1.5 signatures are
/// deterministic, so this signer's output is byte for byte swift-crypto's (a test checks it);
/// keys are still generated, read and published with swift-crypto.
///
/// `@unchecked Sendable`: it owns one `EVP_PKEY`, created in `init`, never changed, freed in
/// `deinit`. OpenSSL 3 lets many threads sign with one key at once when each uses its own
/// `EVP_MD_CTX`, as ``sign(_:)`` does (RSA blinding is locked inside OpenSSL).
package final class RS256Signer: @unchecked Sendable {
    private let key: OpaquePointer

    /// The key from its DER encoding (PKCS#1 or PKCS#8); nil when OpenSSL cannot read it.
    package init?(derPrivateKey der: [UInt8]) {
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let key else {
            ERR_clear_error()
            return nil
        }
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The signature of `message`; nil when OpenSSL fails (its error queue is cleared).
    package func sign(_ message: [UInt8]) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1,
            EVP_DigestSign(context, nil, &length, message, message.count) == 1
        else {
            ERR_clear_error()
            return nil
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            ERR_clear_error()
            return nil
        }
        return Array(signature.prefix(length))
    }
}
