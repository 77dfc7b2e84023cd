import Foundation

/// Runs the built `kakao-login` executable (`KAKAO_LOGIN_BIN`) as a child process.
public enum KakaoLoginProcess {
    /// What a run produced.
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        /// True when the process had to be killed at the time limit.
        public var timedOut: Bool
    }

    /// Runs `kakao-login <arguments>` with `environment` replacing the given variables
    /// (a `nil` value removes one) and kills it after `timeLimit`.
    public static func run(
        _ arguments: [String],
        environment changes: [String: String?] = [:],
        timeLimit: Duration = .seconds(60)
    ) async throws -> Output {
        let binary = try TestEnvironment.kakaoLoginBinary()
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        let folder = NSTemporaryDirectory() + "kl-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outPath = folder + "/stdout"
        let errPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
            let seconds = Double(timeLimit.components.seconds)
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if process.isRunning { process.terminate() }
            }
        }
        try? out.close()
        try? err.close()
        let timedOut = process.terminationReason == .uncaughtSignal
        return Output(
            status: status,
            standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            timedOut: timedOut
        )
    }
}
