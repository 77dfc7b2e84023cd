import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A local HTTP/1.1 server for the client's tests, over TCP or TLS: it counts the connections
/// it accepts and answers every request as its ``Reply`` says.
final class TestHTTPServer: Sendable {
    /// How the server answers a request.
    enum Reply: Sendable {
        /// `200` with `body`, keeping the connection unless `close`.
        case ok(body: String, close: Bool = false)
        /// The same, after `delay`.
        case delayed(TimeAmount, body: String)
        /// No answer at all (the connection stays open).
        case silent
    }

    let port: Int
    private let channel: any Channel
    private let accepted: Counter

    /// Connections accepted so far.
    var connections: Int { accepted.value.load(ordering: .relaxed) }

    private init(port: Int, channel: any Channel, accepted: Counter) {
        self.port = port
        self.channel = channel
        self.accepted = accepted
    }

    /// Starts a server on 127.0.0.1 (a free port), with TLS when `tls` is given.
    static func start(tls: NIOSSLContext? = nil, reply: Reply) async throws -> TestHTTPServer {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counter.increment()
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestHTTPServer(port: channel.localAddress?.port ?? 0, channel: channel, accepted: counter)
    }

    /// A TLS context serving ``TestCertificate``.
    static func tlsContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(TestCertificate.certificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKey.utf8), format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }

    func stop() async {
        try? await channel.close()
    }

    /// The accepted-connection count, shared with the child channels' initializer.
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func increment() { value.add(1, ordering: .relaxed) }
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let reply: Reply

        init(reply: Reply) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            switch reply {
            case .ok(let body, let close):
                respond(context: context, body: body, close: close)
            case .delayed(let delay, let body):
                context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                    self.respond(context: context, body: body, close: false)
                }
            case .silent:
                break
            }
        }

        private func respond(context: ChannelHandlerContext, body: String, close: Bool) {
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.utf8.count))])
            if close { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if close { context.close(promise: nil) }
            }
        }
    }
}
