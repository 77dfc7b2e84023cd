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
/// requests). A request unanswered within its timeout fails and closes the connection.
struct HTTPConnection: Sendable {
    /// Why a request got no answer.
    enum Failure: Error, CustomStringConvertible {
        case closed
        /// No answer within the timeout: `request` is its method, host and path (no query).
        case timedOut(request: String, after: TimeAmount)

        var description: String {
            switch self {
            case .closed: "the connection closed before the answer"
            case .timedOut(let request, let after): "no answer to \(request) within \(after.nanoseconds / 1_000_000_000) s"
            }
        }
    }

    private let channel: any Channel
    private let handler: NIOLoopBound<DialogueHandler>

    /// Connects to `host:port` on `loop`; each request gets at most `timeout` to be answered
    /// (for a long-poll, more than its `wait`).
    static func open(host: String, port: Int, timeout: TimeAmount, on loop: any EventLoop) async throws -> HTTPConnection {
        let handler = try await loop.submit { NIOLoopBound(DialogueHandler(timeout: timeout), eventLoop: loop) }.get()
        let channel = try await LoadChannel.connect(host: host, port: port, on: loop) { pipeline in
            try pipeline.addHandler(handler.value)
        }
        return HTTPConnection(channel: channel, handler: handler)
    }

    /// Sends `request` and waits for its answer; throws ``Failure`` when the connection closed
    /// first or the answer did not come in time.
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

/// Writes the request it is given and completes its promise with the answer, or fails it
/// after `timeout` (and closes the connection, which an answer may still be owed on).
final class DialogueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let timeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var pending: EventLoopPromise<LoadResponse>?
    private var timer: Scheduled<Void>?
    private var sentAt = NIODeadline.now()
    private var assembler = ResponseAssembler(keepBody: true)
    private var isOpen = true

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

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
        let head = request.head
        timer = loop.assumeIsolated().scheduleTask(in: timeout) {
            let what =
                "\(head.method) \(head.headers.first(name: "Host") ?? "")" + (head.uri.split(separator: "?", maxSplits: 1).first ?? "")
            self.isOpen = false
            self.fail(HTTPConnection.Failure.timedOut(request: what, after: self.timeout))
            self.context?.close(promise: nil)
        }
        LoadChannel.write(request, context: context)
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (status, body) = assembler.feed(unwrapInboundIn(data)) else { return }
        takePending()?.succeed(LoadResponse(status: status, body: body ?? ByteBuffer(), sentAt: sentAt, receivedAt: .now()))
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
        takePending()?.fail(error)
    }

    /// The pending promise, now no longer pending, with its timer stopped.
    private func takePending() -> EventLoopPromise<LoadResponse>? {
        timer?.cancel()
        timer = nil
        defer { pending = nil }
        return pending
    }
}
