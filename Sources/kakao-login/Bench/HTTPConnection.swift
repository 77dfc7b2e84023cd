import NIOCore
import NIOHTTP1

/// The answer to one request sent on an ``HTTPConnection``.
struct LoadResponse: Sendable {
    var status: UInt
    var body: ByteBuffer
    /// When the request was written, and when the answer's last byte arrived (event-loop time,
    /// so the caller's own scheduling is not part of it).
    var sentAt: NIODeadline
    var receivedAt: NIODeadline
}

/// One keep-alive HTTP/1.1 connection of the lean load generator (``LoadChannel``) that sends
/// one request at a time and hands each answer back: the dialogue of a browser, where every
/// request depends on the previous answer (``HTTPLoadGenerator`` instead replays prepared
/// requests).
struct HTTPConnection: Sendable {
    /// Why a request got no answer.
    enum Failure: Error {
        case closed
    }

    private let channel: any Channel
    private let handler: NIOLoopBound<DialogueHandler>

    /// Connects to `host:port` on `loop`.
    static func open(host: String, port: Int, on loop: any EventLoop) async throws -> HTTPConnection {
        let handler = try await loop.submit { NIOLoopBound(DialogueHandler(), eventLoop: loop) }.get()
        let channel = try await LoadChannel.connect(host: host, port: port, on: loop) { pipeline in
            try pipeline.addHandler(handler.value)
        }
        return HTTPConnection(channel: channel, handler: handler)
    }

    /// Sends `request` and waits for its answer; throws when the connection closed first.
    func send(_ request: LoadRequest) async throws -> LoadResponse {
        let handler = self.handler
        let loop = channel.eventLoop
        return try await loop.flatSubmit { handler.value.send(request, on: loop) }.get()
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }
}

/// Writes the request it is given and completes its promise with the answer.
final class DialogueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private var context: ChannelHandlerContext?
    private var pending: EventLoopPromise<LoadResponse>?
    private var sentAt = NIODeadline.now()
    private var assembler = ResponseAssembler(keepBody: true)
    private var isOpen = true

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        fail(HTTPConnection.Failure.closed)
    }

    /// Sends one request; only one may be pending at a time. Runs on `loop`, the channel's.
    func send(_ request: LoadRequest, on loop: any EventLoop) -> EventLoopFuture<LoadResponse> {
        guard let context, isOpen, pending == nil else { return loop.makeFailedFuture(HTTPConnection.Failure.closed) }
        let promise = loop.makePromise(of: LoadResponse.self)
        pending = promise
        sentAt = .now()
        LoadChannel.write(request, context: context)
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (status, body) = assembler.feed(unwrapInboundIn(data)) else { return }
        let promise = pending
        pending = nil
        promise?.succeed(LoadResponse(status: status, body: body ?? ByteBuffer(), sentAt: sentAt, receivedAt: .now()))
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        fail(HTTPConnection.Failure.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        isOpen = false
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
