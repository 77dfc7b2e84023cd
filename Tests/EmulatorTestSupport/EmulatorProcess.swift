import Foundation
import LocalPostgres

#if canImport(Glibc)
import Glibc
#endif

/// `kakao-login emulator …` as a child process (LocalPostgres' ``ChildProcess``, the project's
/// one way to run a program): started, its port read from its log line (`emulator.port=N`, or the JSON member),
/// stopped with SIGTERM.
public struct EmulatorProcess: Sendable {
    public let process: ChildProcess
    /// Where its standard output and error go.
    public let outputPath: String
    public let port: Int

    /// Everything it printed so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// `KAKAO_LOGIN_BIN` (set by scripts/test), else the `kakao-login` next to the test bundle.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["KAKAO_LOGIN_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("kakao-login").path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("kakao-login")
    }

    /// Runs the binary with `arguments` to its end; its exit status and everything it printed.
    public static func runToEnd(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outputPath = Self.outputPath()
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try await ChildProcess.run([binary.path] + arguments, outputPath: outputPath)
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    /// Starts the binary and waits for its port (a limit against a hang, not a timing assertion);
    /// throws with the output when it ends or stays silent first.
    public static func start(_ arguments: [String]) async throws -> EmulatorProcess {
        let outputPath = Self.outputPath()
        let process = try ChildProcess([binary.path] + arguments, outputPath: outputPath)
        let deadline = ContinuousClock.now + .seconds(60)
        var seen = ""
        while !process.hasExited, ContinuousClock.now < deadline {
            seen = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            // A text line has `emulator.port=N`, a JSON line `"emulator.port":"N"`.
            if let range = seen.range(of: #"emulator\.port(=|":")[0-9]+"#, options: .regularExpression),
                let port = Int(String(seen[range].filter(\.isNumber)))
            {
                return EmulatorProcess(process: process, outputPath: outputPath, port: port)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = try? await process.waitForExit(killingAfter: .seconds(5))
        throw EmulatorProcessError(output: seen)
    }

    /// Kills it if it still runs (a test that failed before ``stop()``).
    public func killIfRunning() {
        if !process.hasExited { process.signal(SIGKILL) }
    }

    /// Sends SIGTERM and waits (killing it after a minute); its exit status.
    public func stop() async throws -> Int32 {
        process.signal(SIGTERM)
        let (status, _) = try await process.waitForExit(killingAfter: .seconds(60))
        try? FileManager.default.removeItem(atPath: outputPath)
        return status
    }

    private static func outputPath() -> String {
        NSTemporaryDirectory() + "kakao-login-emulator-\(UUID().uuidString).log"
    }
}

/// The process ended without reporting a port.
public struct EmulatorProcessError: Error, CustomStringConvertible {
    public let output: String
    public var description: String { "the emulator reported no port; its output: \(output)" }
}
