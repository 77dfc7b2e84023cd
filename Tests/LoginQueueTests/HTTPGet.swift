import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A plain GET for tests, through the shared client.
enum HTTPGet {
    static func text(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
