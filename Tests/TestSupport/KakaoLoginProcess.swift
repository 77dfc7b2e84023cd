import Foundation
import LocalPostgres

/// Runs the built `kakao-login` executable (`KAKAO_LOGIN_BIN`) to its end as a ``ChildProcess``.
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
        environment: [String: String?] = [:],
        timeLimit: Duration = .seconds(60)
    ) async throws -> Output {
        let binary = try TestEnvironment.kakaoLoginBinary()
        let folder = NSTemporaryDirectory() + "kl-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outPath = folder + "/stdout"
        let errPath = folder + "/stderr"
        let child = try ChildProcess([binary] + arguments, environment: environment, outputPath: outPath, errorPath: errPath)
        let exit = try await child.waitForExit(killingAfter: timeLimit)
        return Output(
            status: exit.status,
            standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            timedOut: exit.killed
        )
    }
}
