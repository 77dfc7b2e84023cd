import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// An OTLP/HTTP collector stand-in on 127.0.0.1: accepts `POST /v1/traces` (protobuf), keeps
/// every span it was sent, and answers an empty `ExportTraceServiceResponse`.
final class OTLPCollector: Sendable {
    /// `http://127.0.0.1:<port>`, for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    let url: String
    private let port: Int
    private let received = Mutex<[OTLPSpan]>([])

    private init(port: Int) {
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
    }

    /// Every span received so far.
    var spans: [OTLPSpan] { received.withLock { $0 } }

    /// Runs `body` with a listening collector, and stops it however `body` ends.
    static func withCollector<Result: Sendable>(_ body: (OTLPCollector) async throws -> Result) async throws -> Result {
        let collector = OTLPCollector(port: try FreePort.next())
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            let spans = try OTLPTraces.spans(in: Array(buffer: body))
            collector.received.withLock { $0 += spans }
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        let listening = AsyncStream<Void>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: collector.port)),
            onServerRunning: { _ in listening.continuation.finish() }
        )
        return try await withServiceGroup([app]) {
            for await _ in listening.stream {}
            return try await body(collector)
        }
    }
}
