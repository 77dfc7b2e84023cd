import AsyncHTTPClient
import Histogram
import NIOCore
import NIOHTTP1

/// The same closed-loop load as ``HTTPLoadGenerator``, sent through AsyncHTTPClient (what the
/// Swift client library uses, and the worker did before `ProviderHTTPClient`), to show how much
/// of a figure is the client's: `bench emulator --client ahc`.
struct AsyncHTTPClientLoad {
    let baseURL: String
    let connections: Int

    func run(_ requests: [LoadRequest]) async throws -> LoadResult {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(30))
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let started = NIODeadline.now()
            var total = try await withThrowingTaskGroup(of: LoadResult.self) { group in
                for index in 0..<max(1, min(connections, requests.count)) {
                    let share = stride(from: index, to: requests.count, by: connections).map { requests[$0] }
                    group.addTask { try await send(share, with: client) }
                }
                var total = LoadResult()
                for try await result in group { total.merge(result) }
                return total
            }
            total.seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
            try await client.shutdown()
            return total
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func send(_ requests: [LoadRequest], with client: HTTPClient) async throws -> LoadResult {
        var result = LoadResult()
        for prepared in requests {
            var request = HTTPClientRequest(url: baseURL + prepared.head.uri)
            request.method = prepared.head.method
            request.headers = prepared.head.headers
            request.headers.remove(name: "Host")
            if let body = prepared.body { request.body = .bytes(body) }
            let sent = NIODeadline.now()
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            _ = result.latency.record(UInt64(max(0, (NIODeadline.now() - sent).nanoseconds / 1000)))
            if response.status == .ok { result.succeeded += 1 } else { result.failed += 1 }
        }
        return result
    }
}
