import Foundation
import Postgres
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A `kakao-login` child process that a test can signal and kill for real: spawned with
/// `posix_spawn` (default signal handlers, an empty signal mask, no inherited descriptors) and
/// reaped with `waitpid`, not `Foundation.Process`, whose exit notice a daemon started by a
/// parallel test can hold up. Standard output and standard error go to one file.
public final class KakaoLoginChild: Sendable {
    public let pid: pid_t
    /// Where the process's output goes (removed when this object goes away).
    public let logPath: String
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `kakao-login <arguments>` with `environment` on top of this process's (a `nil`
    /// value removes a variable).
    public init(_ arguments: [String], environment: [String: String?]) throws {
        let binary = try TestEnvironment.kakaoLoginBinary()
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        logPath = NSTemporaryDirectory() + "kakao-login-\(arguments.first ?? "run")-\(UUID().uuidString).log"
        pid = try ChildProcess.start([binary] + arguments, environment: merged, outputPath: logPath)
    }

    /// Sends `signal` (SIGKILL by default) unless the process was already reaped.
    public func kill(_ signal: Int32 = SIGKILL) {
        if exitStatus.withLock({ $0 }) == nil { _ = Glibc.kill(pid, signal) }
    }

    /// Waits for the process to end and returns its exit status (128 + signal when killed);
    /// kills it first if it outlives `limit`.
    @discardableResult
    public func waitForExit(limit: Duration = .seconds(30)) async throws -> Int32 {
        if let status = exitStatus.withLock({ $0 }) { return status }
        let pid = self.pid
        let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { try await ChildProcess.waitForExit(pid, program: "kakao-login") }
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

    /// Whether the process has been reaped.
    public var hasExited: Bool { exitStatus.withLock { $0 } != nil }

    /// What the process printed so far (both streams).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if exitStatus.withLock({ $0 }) == nil { _ = Glibc.kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
