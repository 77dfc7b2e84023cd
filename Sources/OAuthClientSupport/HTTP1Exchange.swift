import NIOCore
import NIOHTTP1
import NIOSSL
import NIOTLS

/// One keep-alive HTTP/1.1 connection's dialogue with a provider, the last handler of its
/// pipeline: one request at a time, its answer collected whole (at most `maxBytes` of body), or
/// an ``ExchangeFailure`` that says whether the request may have left. Lives on its channel's
/// event loop; ``HTTP1ConnectionPool`` drives it.
final class HTTP1Exchange: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A complete answer and whether the connection may carry another request.
    struct Outcome: Sendable {
        let answer: OAuthHTTP.Answer
        let keepAlive: Bool
    }

    /// One request: what it sends and how long it may take.
    struct Request: Sendable {
        let head: HTTPRequestHead
        let body: ByteBuffer?
        /// The whole call's end.
        let deadline: NIODeadline
        /// Longest silence while the answer is owed.
        let readTimeout: TimeAmount
        let maxBytes: Int
    }

    private var context: ChannelHandlerContext?
    private var promise: EventLoopPromise<Outcome>?
    private var request: Request?
    private var timer: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var tooLarge = false
    private var handshakeDone: Bool
    /// False once the connection failed, closed or answered `Connection: close`.
    private(set) var isUsable = true

    /// - Parameter isTLS: a TLS handler sits before this one (until its handshake completes,
    ///   nothing the request says has left).
    init(isTLS: Bool) {
        handshakeDone = !isTLS
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        finish(.failure(ExchangeFailure.connectionLost))
    }

    /// Writes `request`; `promise` gets its answer or an ``ExchangeFailure``. Fails at once, with
    /// nothing sent, unless the connection is idle and usable.
    func send(_ request: Request, promise: EventLoopPromise<Outcome>) {
        guard let context, isUsable, self.promise == nil else {
            promise.fail(ExchangeFailure.connectFailed)
            return
        }
        self.promise = promise
        self.request = request
        head = nil
        body.clear()
        tooLarge = false
        armTimer(on: context.eventLoop)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let requestBody = request.body, requestBody.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Fails the pending request, if any, with `failure` and closes the connection (an answer
    /// may still be owed on it).
    func abandon(_ failure: ExchangeFailure) {
        isUsable = false
        finish(.failure(failure))
        context?.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { handshakeDone = true }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let request else {
            // An answer nobody asked for: the connection is out of step.
            abandon(.transport)
            return
        }
        armTimer(on: context.eventLoop)
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
            if let length = responseHead.headers.first(name: "content-length").flatMap(Int.init), length > request.maxBytes {
                tooLarge = true
            }
        case .body(var part):
            if !tooLarge, body.readableBytes + part.readableBytes <= request.maxBytes {
                body.writeBuffer(&part)
            } else {
                tooLarge = true
            }
        case .end:
            guard let head else {
                abandon(.transport)
                return
            }
            let status = Int(head.status.code)
            guard !tooLarge else {
                abandon(.responseTooLarge(status: status))
                return
            }
            if !head.isKeepAlive { isUsable = false }
            finish(.success(Outcome(answer: .init(status: status, headers: head.headers, body: body), keepAlive: head.isKeepAlive)))
            if !isUsable { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isUsable = false
        finish(.failure(handshakeDone ? ExchangeFailure.connectionLost : ExchangeFailure.connectFailed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Before the TLS handshake completed, nothing of the request reached the provider.
        let failure: ExchangeFailure =
            !handshakeDone ? .connectFailed : error is HTTPParserError || error is NIOSSLError ? .transport : .connectionLost
        abandon(failure)
    }

    /// The request's timer: the whole call's deadline, or `readTimeout` from now if sooner.
    private func armTimer(on loop: any EventLoop) {
        guard let request else { return }
        timer?.cancel()
        let silence = NIODeadline.now() + request.readTimeout
        let deadline = min(request.deadline, silence)
        timer = loop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.abandon(.timedOut)
        }
    }

    private func finish(_ result: Result<Outcome, any Error>) {
        timer?.cancel()
        timer = nil
        request = nil
        guard let promise else { return }
        self.promise = nil
        promise.completeWith(result)
    }
}
