import TestSupport

/// A `kakao-login worker` child process that a test can kill for real.
typealias WorkerProcess = KakaoLoginChild

extension KakaoLoginChild {
    /// Starts `kakao-login worker --concurrency N [arguments]` with `environment` added to this
    /// process's.
    convenience init(concurrency: Int, arguments: [String] = [], environment: [String: String]) throws {
        try self.init(["worker", "--concurrency", String(concurrency)] + arguments, environment: environment)
    }
}
