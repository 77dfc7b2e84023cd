import Base64Coding
import Crypto
import Foundation

/// The AES-GCM keys that seal the secrets a login keeps for a while: codes, PKCE verifiers and
/// Kakao tokens, and the app refresh token kept for re-delivery.
///
/// Configured as `LOGIN_SEALING_KEYS=kid:base64key,...` with 32-byte keys: the first key seals,
/// every key opens, so a key is rotated by putting a new one first and dropping the old one once
/// no live value uses it (values live at most a few minutes, jobs at most their retention).
///
/// A sealed value is `0x01 ‖ kid length ‖ kid ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. The
/// associated data is a ``SealingContext`` naming the table, column and row, so a value copied
/// to another row or column does not open.
public struct SealingKeys: Sendable {
    /// One named key.
    public struct Key: Sendable {
        public let id: String
        let symmetricKey: SymmetricKey

        /// - Parameters:
        ///   - id: 1 to 64 characters from `[A-Za-z0-9._-]`.
        ///   - bytes: exactly 32 bytes.
        public init(id: String, bytes: some DataProtocol) throws(SealingError) {
            guard Self.isValidID(id) else { throw SealingError(.invalidKeyID) }
            guard bytes.count == 32 else { throw SealingError(.invalidKeyLength) }
            self.id = id
            self.symmetricKey = SymmetricKey(data: Data(bytes))
        }

        static func isValidID(_ id: String) -> Bool {
            !id.isEmpty && id.utf8.count <= 64
                && id.utf8.allSatisfy { byte in
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                        || byte == 0x2E || byte == 0x5F || byte == 0x2D
                }
        }
    }

    static let formatVersion: UInt8 = 1

    /// The key that seals; every key in ``keys`` opens.
    public var sealingKey: Key { keys[0] }
    /// All keys, the sealing key first.
    public let keys: [Key]
    private let keysByID: [String: Key]
    /// Each key's fingerprint keys, in the order of ``keys``.
    private let fingerprintKeys: [FingerprintKeys]

    /// - Parameter keys: at least one key; ids must be distinct.
    public init(_ keys: [Key]) throws(SealingError) {
        guard !keys.isEmpty else { throw SealingError(.noKeys) }
        var byID: [String: Key] = [:]
        for key in keys {
            guard byID[key.id] == nil else { throw SealingError(.duplicateKeyID) }
            byID[key.id] = key
        }
        self.keys = keys
        self.keysByID = byID
        self.fingerprintKeys = keys.map { FingerprintKeys(deriving: $0.symmetricKey) }
    }

    /// Parses `kid:base64key,kid2:base64key2` (standard or URL-safe base64, padding optional).
    public init(parsing specification: String) throws(SealingError) {
        var keys: [Key] = []
        for entry in specification.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":") else { throw SealingError(.malformedSpecification) }
            let id = String(trimmed[..<colon])
            let encoded = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard let bytes = Base64URL.decode(encoded, acceptingStandardAlphabet: true) else {
                throw SealingError(.malformedSpecification)
            }
            keys.append(try Key(id: id, bytes: bytes))
        }
        try self.init(keys)
    }

    /// A fresh random key set with one key, for `dev` and tests.
    public static func random(id: String = "dev") -> SealingKeys {
        // A generated 32-byte key with a valid id cannot fail validation.
        try! SealingKeys([Key(id: id, bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })])
    }

    /// Seals `plaintext` for one table, column and row.
    public func seal(_ plaintext: some DataProtocol, for context: SealingContext) throws(SealingError) -> [UInt8] {
        let key = sealingKey
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: key.symmetricKey, authenticating: context.associatedData)
        } catch {
            throw SealingError(.sealFailed)
        }
        var out: [UInt8] = [Self.formatVersion, UInt8(key.id.utf8.count)]
        out.reserveCapacity(2 + key.id.utf8.count + 12 + plaintext.count + 16)
        out.append(contentsOf: key.id.utf8)
        out.append(contentsOf: box.nonce)
        out.append(contentsOf: box.ciphertext)
        out.append(contentsOf: box.tag)
        return out
    }

    /// Seals a string as UTF-8.
    public func seal(_ plaintext: String, for context: SealingContext) throws(SealingError) -> [UInt8] {
        try seal(Array(plaintext.utf8), for: context)
    }

    /// Opens a value sealed by ``seal(_:for:)-(DataProtocol,_)`` with any configured key.
    public func open(_ sealed: some Collection<UInt8>, for context: SealingContext) throws(SealingError) -> [UInt8] {
        let bytes = Array(sealed)
        guard bytes.count >= 2, bytes[0] == Self.formatVersion else { throw SealingError(.malformedValue) }
        let idLength = Int(bytes[1])
        let headerLength = 2 + idLength
        guard bytes.count >= headerLength + 12 + 16 else { throw SealingError(.malformedValue) }
        guard let id = String(bytes: bytes[2..<headerLength], encoding: .utf8), let key = keysByID[id] else {
            throw SealingError(.unknownKeyID)
        }
        do {
            let nonce = try AES.GCM.Nonce(data: bytes[headerLength..<(headerLength + 12)])
            let box = try AES.GCM.SealedBox(
                nonce: nonce,
                ciphertext: bytes[(headerLength + 12)..<(bytes.count - 16)],
                tag: bytes[(bytes.count - 16)...]
            )
            return Array(try AES.GCM.open(box, using: key.symmetricKey, authenticating: context.associatedData))
        } catch {
            throw SealingError(.openFailed)
        }
    }

    /// Opens a sealed UTF-8 string.
    public func openString(_ sealed: some Collection<UInt8>, for context: SealingContext) throws(SealingError) -> String {
        let bytes = try open(sealed, for: context)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw SealingError(.openFailed) }
        return string
    }

    /// `HMAC-SHA256` of `message` under every key, the sealing key's first: inserts use the first,
    /// lookups accept any, so a key rotation does not break deduplication.
    public func fingerprints(of message: String, purpose: FingerprintPurpose) -> [[UInt8]] {
        let message = Array(message.utf8)
        return fingerprintKeys.map { Array(HMAC<SHA256>.authenticationCode(for: message, using: $0[purpose])) }
    }
}
