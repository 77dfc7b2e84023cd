import Accounts
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder `kakao-login dev` keeps its state in (`--data-dir`, default `./.dev`): the private
/// PostgreSQL cluster in `postgres/`, and throw-away keys in `keys/` (mode 0700, files 0600),
/// made on the first run and reused by the next ones. Delete the folder to start afresh.
struct DevFolder {
    /// The folder, absolute.
    let path: String

    /// - Parameter path: absolute, or relative to the current directory.
    init(path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.path = (absolute as NSString).standardizingPath
    }

    var keysDirectory: String { path + "/keys" }
    /// `LOGIN_SEALING_KEYS_FILE`: one line, `dev:<base64 of 32 random bytes>`.
    var sealingKeysFile: String { keysDirectory + "/sealing-keys" }
    /// `LOGIN_JWT_KEYS`: `dev.pem`, an ES256 private key.
    var jwtKeysDirectory: String { keysDirectory + "/jwt" }
    /// Where the cluster goes when nothing stands in the way (see ``clusterDirectory()``).
    var preferredClusterDirectory: String { path + "/postgres" }

    /// Creates the folder and checks that files can be written in it. Mode 0755: run as root,
    /// the cluster's `postgres` user must be able to cross it (the keys folder stays 0700).
    func create() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StartupError("the dev folder \(path) is a file: pass --data-dir with a folder")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755]
            )
        } catch {
            throw StartupError("cannot create the dev folder \(path): pass --data-dir with a folder you can write")
        }
        let probe = path + "/.write-test-\(getpid())"
        guard FileManager.default.createFile(atPath: probe, contents: Data()) else {
            throw StartupError("the dev folder \(path) is not writable: pass --data-dir with a folder you can write")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// The sealing key file, generated on first use (mode 0600, never replaced).
    func sealingKeys() throws -> String {
        try createKeysDirectory()
        guard !FileManager.default.fileExists(atPath: sealingKeysFile) else { return sealingKeysFile }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        let descriptor = open(sealingKeysFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StartupError("cannot create \(sealingKeysFile)") }
        defer { close(descriptor) }
        let line = Array("dev:\(key)\n".utf8)
        guard line.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == line.count else {
            unlink(sealingKeysFile)
            throw StartupError("cannot write \(sealingKeysFile)")
        }
        return sealingKeysFile
    }

    /// The JWT key folder, with a generated `dev.pem` unless it holds a key already.
    func jwtKeys() throws -> String {
        try createKeysDirectory()
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: jwtKeysDirectory)) ?? []
        if !existing.contains(where: { $0.hasSuffix(".pem") }) {
            do {
                try AccessTokenKeys.generateKeyFolder(at: jwtKeysDirectory, kid: "dev")
            } catch {
                throw StartupError("cannot create the signing key in \(jwtKeysDirectory): \(error)")
            }
        }
        return jwtKeysDirectory
    }

    private func createKeysDirectory() throws {
        do {
            try FileManager.default.createDirectory(
                atPath: keysDirectory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw StartupError("cannot create \(keysDirectory): pass --data-dir with a folder you can write")
        }
    }

    /// Where the cluster lives: `postgres/` in this folder, unless the server could not use it
    /// there — run as root, the server runs as `postgres`, which must be able to enter every
    /// folder above it (a checkout under `/root` is closed to it); and a Unix socket path is
    /// limited to about 100 bytes. Then a folder of its own under `/var/tmp`, named after this
    /// one, and the reason why.
    func clusterDirectory() -> (directory: String, relocatedBecause: String?) {
        let preferred = preferredClusterDirectory
        var reason: String?
        if (preferred + "/.s.PGSQL.5432").utf8.count >= 100 {
            reason = "the path of \(preferred) is too long for a Unix socket"
        } else if getuid() == 0, let blocked = Self.firstFolderClosedToPostgres(above: preferred) {
            reason = "the postgres user cannot enter \(blocked)"
        }
        guard let reason else { return (preferred, nil) }
        let digest = SHA256.hash(data: Data(path.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        return ("/var/tmp/kakao-login-dev-\(digest)", reason)
    }

    /// The first existing ancestor of `path` that the `postgres` user may not search.
    private static func firstFolderClosedToPostgres(above path: String) -> String? {
        guard let user = getpwnam("postgres") else { return nil }
        let (uid, gid) = (user.pointee.pw_uid, user.pointee.pw_gid)
        var folder = (path as NSString).deletingLastPathComponent
        var ancestors: [String] = []
        while folder != "/" && !folder.isEmpty {
            ancestors.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in ancestors.reversed() {
            var info = stat()
            guard stat(folder, &info) == 0 else { continue }
            let mode = info.st_mode
            let searchable =
                mode & S_IXOTH != 0 || (info.st_uid == uid && mode & S_IXUSR != 0) || (info.st_gid == gid && mode & S_IXGRP != 0)
            if !searchable { return folder }
        }
        return nil
    }
}
