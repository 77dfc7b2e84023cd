import Foundation
import LocalPostgres
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``LocalPostgresCluster`` on its own (the pool's restart tests use it with connections):
/// `initdb`, start, restart, stop, a socket in the folder and no TCP port, and as root a server
/// run by the `postgres` user.
@Suite("Local PostgreSQL clusters", .serialized, .timeLimit(.minutes(3)))
struct LocalPostgresClusterTests {
    /// The process id in `postmaster.pid` while the server runs.
    private func postmaster(_ cluster: LocalPostgresCluster) -> pid_t? {
        guard let text = try? String(contentsOfFile: cluster.dataDirectory + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { pid_t($0) }
    }

    /// The real user id a process runs as (`Uid:` in `/proc/<pid>/status`).
    private func userID(of pid: pid_t) -> uid_t? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { uid_t($0) }
    }

    @Test("start, restart and stop; only a Unix socket in the folder; as root the server runs as postgres")
    func lifecycle() async throws {
        try await withPrivateCluster { cluster in
            #expect(cluster.isInitialized)
            #expect(await cluster.isRunning())
            #expect(FileManager.default.fileExists(atPath: cluster.directory + "/.s.PGSQL.\(cluster.port)"))
            // postmaster.pid's sixth line is the first address listened on: none, so no TCP port.
            let lockFile = try String(contentsOfFile: cluster.dataDirectory + "/postmaster.pid", encoding: .utf8)
            #expect(lockFile.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(5).first == "")

            let first = try #require(postmaster(cluster))
            let serverUser = getuid() == 0 ? try #require(getpwnam("postgres")).pointee.pw_uid : getuid()
            #expect(userID(of: first) == serverUser)
            var folder = stat()
            #expect(stat(cluster.dataDirectory, &folder) == 0)
            #expect(folder.st_uid == serverUser, "the server's user owns its data")
            // The socket's folder is its owner's only: the superuser needs no password there.
            var socketFolder = stat()
            #expect(stat(cluster.directory, &socketFolder) == 0)
            #expect(socketFolder.st_mode & 0o777 == 0o700)

            try await cluster.restart()
            #expect(await cluster.isRunning())
            let second = try #require(postmaster(cluster))
            #expect(second != first)
            #expect(!ProcessLiveness.isRunning(first))

            try await cluster.stop()
            #expect(await !cluster.isRunning())
            #expect(!ProcessLiveness.isRunning(second))
            // A folder opened up since (an older dev made it 755): made private again at start.
            #expect(chmod(cluster.directory, 0o755) == 0)
            try await cluster.start()
            #expect(await cluster.isRunning(), "a stopped cluster starts again without initdb")
            #expect(stat(cluster.directory, &socketFolder) == 0)
            #expect(socketFolder.st_mode & 0o777 == 0o700)
        }
    }

    @Test("missing server binaries say what to install")
    func missingBinaries() throws {
        let error = try #require(throws: LocalPostgresError.self) {
            try LocalPostgresCluster(directory: "/tmp/kl-never-made", binDirectory: "/nonexistent/postgresql/bin")
        }
        #expect(error.code == .clusterFailed)
        #expect(error.summary.contains("PostgreSQL server binaries not found"))
        #expect(error.summary.contains("install the 'postgresql' package"))
    }

    @Test("a folder whose socket path would be too long is refused before anything runs")
    func socketPathTooLong() throws {
        let directory = "/tmp/" + String(repeating: "d", count: 100)
        let error = try #require(throws: LocalPostgresError.self) {
            try LocalPostgresCluster(directory: directory, binDirectory: try TestEnvironment.postgresBinDirectory())
        }
        #expect(error.code == .clusterFailed)
        #expect(error.summary.contains("too long for a Unix socket"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}
