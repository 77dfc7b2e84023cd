import Foundation
import LocalPostgres

/// Starts a ``LocalPostgresCluster`` of the test's own in a new folder (so a test may restart
/// or stop it without disturbing the shared server), runs `body`, then stops it and deletes
/// the folder. The folder is under `KAKAO_TEST_CLUSTERS` (set by `scripts/test`, whose exit
/// trap stops any cluster a killed test left running), else `/tmp`.
public func withPrivateCluster<Result: Sendable>(
    settings: [String: String] = [:],
    _ body: (LocalPostgresCluster) async throws -> Result
) async throws -> Result {
    let root = ProcessInfo.processInfo.environment["KAKAO_TEST_CLUSTERS"] ?? "/tmp"
    let directory = "\(root)/kl-pg-\(UUID().uuidString.prefix(8).lowercased())"
    let cluster = try LocalPostgresCluster(
        directory: directory,
        binDirectory: try TestEnvironment.postgresBinDirectory(),
        superuser: "kakao_test",
        settings: settings
    )
    do {
        try await cluster.start()
        let result = try await body(cluster)
        try await cluster.destroy()
        return result
    } catch {
        try? await cluster.destroy()
        throw error
    }
}

extension LocalPostgresCluster {
    /// Makes `role` log in over the socket with a password (SCRAM); other roles keep trust.
    public func requirePasswords(for role: String) async throws {
        let current = try String(contentsOfFile: hbaFile, encoding: .utf8)
        try ("local all \(role) scram-sha-256\n" + current).write(toFile: hbaFile, atomically: false, encoding: .utf8)
        try await reload()
    }
}
