import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded

/// Sends requests straight to a router's responder, as if they came from a chosen peer address:
/// how tests reach an emulator from a non-loopback client without a second host or a network
/// namespace. The path goes to the router exactly as written (no client normalises it).
public struct InProcessPeer<Context: RequestContext> where Context.Source == ApplicationRequestContextSource {
    /// What the responder answered.
    public struct Answer: Sendable {
        public let status: Int
        public let headers: HTTPFields
        public let body: String
    }

    private let responder: RouterResponder<Context>
    private let remoteAddress: SocketAddress

    /// - Parameters:
    ///   - router: the router under test (its responder is built once).
    ///   - remoteAddress: the peer every request seems to come from.
    public init(router: Router<Context>, remoteAddress: SocketAddress) {
        responder = router.buildResponder()
        self.remoteAddress = remoteAddress
    }

    /// Sends one request; `path` may carry a query.
    public func send(_ method: HTTPRequest.Method, _ path: String, body: String = "", contentType: String? = nil) async throws -> Answer {
        let channel = EmbeddedChannel()
        channel.remoteAddress = remoteAddress
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        fields[.contentLength] = String(body.utf8.count)
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "emulator.test", path: path, headerFields: fields),
            body: RequestBody(buffer: ByteBuffer(string: body))
        )
        let context = Context(source: ApplicationRequestContextSource(channel: channel, logger: Logger(label: "in-process-peer")))
        let response = try await responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return Answer(status: Int(response.status.code), headers: response.headers, body: collector.text)
    }
}

/// Collects a response body written by Hummingbird.
private struct BodyCollector: ResponseBodyWriter {
    let buffer = NIOLockedValueBox(ByteBuffer())

    var text: String { buffer.withLockedValue { String(buffer: $0) } }

    func write(_ part: ByteBuffer) async throws {
        buffer.withLockedValue { _ = $0.writeImmutableBuffer(part) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
