import AsyncHTTPClient
import KakaoAPI
import Logging
import NIOCore
import OAuthClientSupport
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite("A provider HTTP client's lifecycle")
struct HTTPClientServiceTests {
    @Test func serviceShutsTheClientDownOnGracefulShutdown() async throws {
        let configuration = try KakaoClientConfiguration(restAPIKey: "k")
        let httpClient = configuration.makeHTTPClient(backgroundActivityLogger: Logger(label: "kakao-tests"))
        let service = HTTPClientService(httpClient: httpClient)
        try await testGracefulShutdown { trigger in
            async let running: Void = service.run()
            trigger.triggerGracefulShutdown()
            try await running
        }
        await #expect(throws: HTTPClientError.alreadyShutdown) {
            _ = try await httpClient.execute(HTTPClientRequest(url: "http://127.0.0.1:1/"), timeout: .seconds(1))
        }
    }
}
