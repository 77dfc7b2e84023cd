import Histogram
import NIOCore
import NIOHTTP1
import NIOPosix

/// A lean HTTP/1.1 load generator on SwiftNIO: `connections` keep-alive connections, opened
/// before the clock starts, each sending its share of the prepared requests one after another
/// (closed loop, one request in flight per connection). No per-request allocation beyond NIO's
/// codec; answers are counted by status, bodies kept only when asked.
struct HTTPLoadGenerator {
    let host: String
    let port: Int
    let connections: Int
    let group: any EventLoopGroup

    func run(_ requests: [LoadRequest], keepBodies: Bool = false) async throws -> LoadResult {
        let connectionCount = max(1, min(connections, requests.count))
        var channels: [(any Channel, EventLoopFuture<LoadResult>)] = []
        for index in 0..<connectionCount {
            let share = stride(from: index, to: requests.count, by: connectionCount).map { requests[$0] }
            let loop = group.next()
            let done = loop.makePromise(of: LoadResult.self)
            let channel: any Channel
            do {
                channel = try await LoadChannel.connect(host: host, port: port, on: loop) { pipeline in
                    try pipeline.addHandler(LoadConnectionHandler(requests: share, keepBodies: keepBodies, done: done))
                }
            } catch {
                // No promise left pending: this one fails, the open connections' handlers
                // complete theirs as they close.
                done.fail(error)
                for (open, _) in channels { try? await open.close() }
                throw error
            }
            channels.append((channel, done.futureResult))
        }
        let started = NIODeadline.now()
        for (channel, _) in channels { channel.pipeline.fireUserInboundEventTriggered(LoadConnectionHandler.Start()) }
        var total = LoadResult()
        for (_, result) in channels { total.merge(try await result.get()) }
        total.seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        return total
    }
}

/// Sends its requests in turn on one connection and records each answer.
final class LoadConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// The user event that starts the run.
    struct Start {}

    private let requests: [LoadRequest]
    private let done: EventLoopPromise<LoadResult>
    private var next = 0
    private var sentAt = NIODeadline.now()
    private var assembler: ResponseAssembler
    private var result = LoadResult()
    private var finished = false

    init(requests: [LoadRequest], keepBodies: Bool, done: EventLoopPromise<LoadResult>) {
        self.requests = requests
        self.assembler = ResponseAssembler(keepBody: keepBodies)
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Start { sendNext(context: context) } else { context.fireUserInboundEventTriggered(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (status, body) = assembler.feed(unwrapInboundIn(data)) else { return }
        let micros = UInt64(max(0, (NIODeadline.now() - sentAt).nanoseconds / 1000))
        _ = result.latency.record(micros)
        if status == 200 { result.succeeded += 1 } else { result.failed += 1 }
        if let body { result.bodies.append(body) }
        sendNext(context: context)
    }

    private func sendNext(context: ChannelHandlerContext) {
        guard next < requests.count else {
            finish()
            context.close(promise: nil)
            return
        }
        let request = requests[next]
        next += 1
        sentAt = .now()
        LoadChannel.write(request, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        result.failed += requests.count - next
        next = requests.count
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        done.succeed(result)
    }
}

/// What every load connection shares: how it connects, writes a request and puts an answer
/// together.
enum LoadChannel {
    /// Opens a keep-alive HTTP/1.1 connection (`TCP_NODELAY`) on `loop` with NIO's client codec,
    /// then `addHandler` adds the connection's own handler.
    static func connect(
        host: String,
        port: Int,
        on loop: any EventLoop,
        _ addHandler: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    ) async throws -> any Channel {
        try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try addHandler(channel.pipeline.syncOperations)
                }
            }
            .connect(host: host, port: port).get()
    }

    /// Writes one request (head, body, end) and flushes.
    static func write(_ request: LoadRequest, context: ChannelHandlerContext) {
        context.write(NIOAny(HTTPClientRequestPart.head(request.head)), promise: nil)
        if let body = request.body { context.write(NIOAny(HTTPClientRequestPart.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(NIOAny(HTTPClientRequestPart.end(nil)), promise: nil)
    }
}

/// Puts an answer together from NIO's response parts: its status, and its body when asked.
struct ResponseAssembler {
    let keepBody: Bool
    private var status: UInt = 0
    private var body: ByteBuffer?

    init(keepBody: Bool) {
        self.keepBody = keepBody
    }

    /// Takes one part; at the end of an answer returns its status and body (nil when not kept).
    mutating func feed(_ part: HTTPClientResponsePart) -> (status: UInt, body: ByteBuffer?)? {
        switch part {
        case .head(let head):
            status = head.status.code
            return nil
        case .body(var buffer):
            if keepBody {
                if body == nil { body = buffer } else { body!.writeBuffer(&buffer) }
            }
            return nil
        case .end:
            defer { body = nil }
            return (status, body)
        }
    }
}
