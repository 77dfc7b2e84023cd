import Foundation
import LocalPostgres

#if canImport(Glibc)
import Glibc
#endif

/// A `kakao-login` child process that a test can signal and kill for real (a ``ChildProcess``:
/// default signal handlers, an empty signal mask, no inherited descriptors). Standard output and
/// standard error go to one file, removed with this object; the process is killed then too if
/// nobody waited for it.
public final class KakaoLoginChild: Sendable {
    public let pid: pid_t
    /// Where the process's output goes.
    public let logPath: String
    private let child: ChildProcess

    /// Starts `kakao-login <arguments>` with `environment` on top of this process's (a `nil`
    /// value removes a variable).
    public init(_ arguments: [String], environment: [String: String?]) throws {
        let binary = try TestEnvironment.kakaoLoginBinary()
        logPath = NSTemporaryDirectory() + "kakao-login-\(arguments.first ?? "run")-\(UUID().uuidString).log"
        child = try ChildProcess([binary] + arguments, environment: environment, outputPath: logPath)
        pid = child.pid
    }

    /// Sends `signal` (SIGKILL by default) unless the process was already reaped.
    public func kill(_ signal: Int32 = SIGKILL) {
        child.signal(signal)
    }

    /// Waits for the process to end and returns its exit status (128 + signal when killed);
    /// kills it first if it outlives `limit`.
    @discardableResult
    public func waitForExit(limit: Duration = .seconds(30)) async throws -> Int32 {
        try await child.waitForExit(killingAfter: limit).status
    }

    /// Whether the process has ended.
    public var hasExited: Bool { child.hasExited }

    /// What the process printed so far (both streams).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
