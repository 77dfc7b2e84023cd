import Foundation
import JWTKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension AccessTokenKeys {
    /// Loads every `*.pem` file of `folder` as an ES256 (P-256) private key named by its file
    /// name without `.pem`. Other files are ignored.
    ///
    /// - Throws: ``AccountsError/Code/noSigningKeys`` when there is none;
    ///   ``AccountsError/Code/invalidSigningKeys`` for an unreadable folder or file, a file that
    ///   is not a P-256 private key in PEM, or a file name that is not a valid key id.
    public static func loadKeys(fromFolder folder: String) throws(AccountsError) -> [(kid: String, key: ES256PrivateKey)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".pem") }.sorted()
        } catch {
            throw AccountsError(.invalidSigningKeys, "LOGIN_JWT_KEYS folder cannot be read")
        }
        guard !names.isEmpty else { throw AccountsError(.noSigningKeys) }
        var keys: [(kid: String, key: ES256PrivateKey)] = []
        for name in names {
            let kid = String(name.dropLast(4))
            guard isValidKID(kid) else {
                throw AccountsError(.invalidSigningKeys, "a key file name is not a key id ([A-Za-z0-9._-], 1 to 64) plus .pem")
            }
            let path = (folder as NSString).appendingPathComponent(name)
            guard let pem = FileManager.default.contents(atPath: path) else {
                throw AccountsError(.invalidSigningKeys, "key file \(name) cannot be read")
            }
            do {
                keys.append((kid, try ES256PrivateKey(pem: pem)))
            } catch {
                throw AccountsError(.invalidSigningKeys, "key file \(name) is not an ES256 (P-256) private key in PEM")
            }
        }
        return keys
    }

    /// Writes a new random ES256 private key to `folder/kid.pem` (mode 0600, never replacing an
    /// existing file), creating the folder (mode 0700) when missing. For `kakao-login dev` and
    /// tests: a throw-away `LOGIN_JWT_KEYS` folder, or a second key to rotate to.
    ///
    /// - Returns: the new file's path.
    /// - Throws: ``AccountsError/Code/invalidSigningKeys`` for a malformed kid, an existing
    ///   file, or a folder or file that cannot be written.
    @discardableResult
    public static func generateKeyFolder(at folder: String, kid: String) throws(AccountsError) -> String {
        guard isValidKID(kid) else {
            throw AccountsError(.invalidSigningKeys, "a key id is 1 to 64 characters of [A-Za-z0-9._-]")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: folder,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw AccountsError(.invalidSigningKeys, "the key folder cannot be created")
        }
        let path = (folder as NSString).appendingPathComponent(kid + ".pem")
        let pem = Array(ES256PrivateKey().pemRepresentation.utf8)
        // Created with its final mode, so the key is never readable by others, not even briefly.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AccountsError(.invalidSigningKeys, "key file \(kid).pem cannot be created (it may exist already)")
        }
        defer { close(descriptor) }
        var written = 0
        while written < pem.count {
            let result = pem[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                unlink(path)
                throw AccountsError(.invalidSigningKeys, "key file \(kid).pem cannot be written")
            }
            written += result
        }
        return path
    }
}
