import AsyncHTTPClient
import GoogleAPI
import Logging
import NIOCore
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite("The Google HTTP client's lifecycle")
struct HTTPClientServiceTests {
    @Test func serviceShutsTheClientDownOnGracefulShutdown() async throws {
        let configuration = try GoogleClientConfiguration(clientID: "c", clientSecret: nil)
        let httpClient = configuration.makeHTTPClient(backgroundActivityLogger: Logger(label: "google-tests"))
        let service = GoogleHTTPClientService(httpClient: httpClient)
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
