import Foundation
import Postgres
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `kakao-login worker` child process that a test can kill for real. Spawned with
/// `posix_spawn` (default signal handlers, no inherited descriptors) and reaped with `waitpid`,
/// not `Foundation.Process`, whose exit notice a daemon started by a parallel test can hold up.
final class WorkerProcess: Sendable {
    let pid: pid_t
    let logPath: String
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `kakao-login worker --concurrency N [arguments]` with `environment` added to this
    /// process's.
    init(concurrency: Int, arguments: [String] = [], environment: [String: String]) throws {
        let binary = try TestEnvironment.kakaoLoginBinary()
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        logPath = NSTemporaryDirectory() + "kakao-login-worker-\(UUID().uuidString).log"
        pid = try ChildProcess.start(
            [binary, "worker", "--concurrency", String(concurrency)] + arguments, environment: merged, outputPath: logPath)
    }

    /// Sends `signal` (SIGKILL by default) unless the process was already reaped.
    func kill(_ signal: Int32 = SIGKILL) {
        if exitStatus.withLock({ $0 }) == nil { _ = Glibc.kill(pid, signal) }
    }

    /// Waits for the process to end and returns its exit status (128 + signal when killed);
    /// kills it first if it outlives `limit`.
    @discardableResult
    func waitForExit(limit: Duration = .seconds(30)) async throws -> Int32 {
        if let status = exitStatus.withLock({ $0 }) { return status }
        let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { try await ChildProcess.waitForExit(self.pid, program: "kakao-login worker") }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            var result: Int32?
            while let next = try await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                    break
                }
                self.kill(SIGKILL)  // the time limit passed first
            }
            return result ?? 128 + SIGKILL
        }
        exitStatus.withLock { $0 = status }
        return status
    }

    /// What the process logged (for failure messages).
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if exitStatus.withLock({ $0 }) == nil { _ = Glibc.kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
