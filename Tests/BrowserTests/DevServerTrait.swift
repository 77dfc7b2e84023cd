import TestSupport
import Testing

/// Runs a suite against one `kakao-login dev` child process (its own cluster, free ports),
/// started before the suite's first test and stopped after its last, however they end.
struct DevServerTrait: SuiteTrait, TestScoping {
    /// The server of the suite being run.
    @TaskLocal static var current: DevServer?

    /// Once for the whole suite, not once per test.
    let isRecursive = false

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await DevServer.withServer { server in
            try await Self.$current.withValue(server) { try await function() }
        }
    }

    /// The running server, inside a suite with this trait.
    static func server() throws -> DevServer {
        guard let current else { throw TestSupportError("the suite needs the .devServer trait") }
        return current
    }
}

extension Trait where Self == DevServerTrait {
    /// Runs the suite against one `kakao-login dev` process.
    static var devServer: Self { DevServerTrait() }
}
