import KakaoEmulator
import TestSupport
import Testing

/// `kakao-login bench logins`, run as the real executable, against servers that accept a
/// connection and never answer: the run ends with an error naming the request, never hangs.
@Suite("bench logins")
struct BenchCommandTests {
    @Test("a silent emulator: the stats read before the load times out")
    func silentEmulator() async throws {
        let (port, error) = try await Self.benchSilentAPI(emulator: nil)
        #expect(error.contains("no answer to GET 127.0.0.1:\(port)/_emulator/stats within 1 s"), "\(error)")
    }

    @Test("a silent API: the first login's start times out")
    func silentAPI() async throws {
        let emulator = try KakaoEmulator(logger: TestEnvironment.logger)
        let (port, error) = try await emulator.withRunningServer { baseURL in try await Self.benchSilentAPI(emulator: baseURL) }
        #expect(error.contains("no answer to POST 127.0.0.1:\(port)/auth/kakao/start within 1 s"), "\(error)")
    }

    /// Runs a one-browser bench with a 1-second timeout and no long-poll wait against an API
    /// that never answers (and the same silent server as the emulator when `emulator` is nil),
    /// expects it to fail by itself, and returns the silent port and the run's standard error.
    static func benchSilentAPI(emulator: String?) async throws -> (port: Int, error: String) {
        let silent = try ListeningSocket()
        defer { silent.close() }
        let run = try await KakaoLoginProcess.run([
            "bench", "logins", "--api", "http://127.0.0.1:\(silent.port)", "--emulator", emulator ?? "http://127.0.0.1:\(silent.port)",
            "--concurrency", "1", "--warmup", "0", "--duration", "5", "--wait", "0", "--timeout", "1",
        ])
        #expect(!run.timedOut)
        #expect(run.status == 1)
        return (silent.port, run.standardError)
    }
}
