import Foundation
import TestSupport

/// A `kakao-login worker` child process that a test can kill for real. Started through
/// `env --default-signal` so it gets default signal dispositions (a process started from Swift
/// concurrency otherwise inherits a mask that blocks SIGTERM).
final class WorkerProcess: Sendable {
    private let process: Process
    let logPath: String

    /// Starts `kakao-login worker --concurrency N` with `environment` added to this process's.
    init(concurrency: Int, environment: [String: String]) throws {
        let binary = try TestEnvironment.kakaoLoginBinary()
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        logPath = NSTemporaryDirectory() + "kakao-login-worker-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal", binary, "worker", "--concurrency", String(concurrency)]
        process.environment = merged
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGKILL by default).
    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to end; kills it if it outlives `limit`. Returns its exit status.
    @discardableResult
    func waitForExit(limit: Duration = .seconds(30)) async throws -> Int32 {
        try await waitUntil("worker \(pid) exited", limit: limit) { !self.process.isRunning }
        return process.terminationStatus
    }

    /// What the process logged (for failure messages).
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
