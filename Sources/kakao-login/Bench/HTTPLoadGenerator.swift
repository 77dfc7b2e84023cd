import Histogram
import NIOCore
import NIOHTTP1
import NIOPosix

/// One prepared request of a load run.
struct LoadRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?

    /// A form POST.
    static func post(_ path: String, host: String, form: String) -> LoadRequest {
        json(path, host: host, body: form, contentType: "application/x-www-form-urlencoded")
    }

    /// A POST with a body of `contentType`.
    static func json(_ path: String, host: String, body: String, contentType: String = "application/json") -> LoadRequest {
        let buffer = ByteBuffer(string: body)
        let headers = HTTPHeaders([("Host", host), ("Content-Type", contentType), ("Content-Length", String(buffer.readableBytes))])
        return LoadRequest(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers), body: buffer)
    }

    /// A GET with extra headers.
    static func get(_ path: String, host: String, headers extra: [(String, String)]) -> LoadRequest {
        LoadRequest(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: HTTPHeaders([("Host", host)] + extra)), body: nil)
    }
}

/// What a load run measured.
struct LoadResult: Sendable {
    var succeeded = 0
    var failed = 0
    /// Latency of each request, microseconds.
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    /// Answer bodies, in no particular order (only when asked to keep them).
    var bodies: [ByteBuffer] = []
    var seconds = 0.0

    var perSecond: Double { seconds > 0 ? Double(succeeded + failed) / seconds : 0 }

    mutating func merge(_ other: LoadResult) {
        succeeded += other.succeeded
        failed += other.failed
        latency.add(other.latency)
        bodies += other.bodies
    }
}

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
            let channel = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            LoadConnectionHandler(requests: share, keepBodies: keepBodies, done: done))
                    }
                }
                .connect(host: host, port: port).get()
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
    private let keepBodies: Bool
    private let done: EventLoopPromise<LoadResult>
    private var next = 0
    private var sentAt = NIODeadline.now()
    private var status: UInt = 0
    private var body: ByteBuffer?
    private var result = LoadResult()
    private var finished = false

    init(requests: [LoadRequest], keepBodies: Bool, done: EventLoopPromise<LoadResult>) {
        self.requests = requests
        self.keepBodies = keepBodies
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Start { sendNext(context: context) } else { context.fireUserInboundEventTriggered(event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status.code
        case .body(var buffer):
            if keepBodies {
                if body == nil { body = buffer } else { body!.writeBuffer(&buffer) }
            }
        case .end:
            let micros = UInt64(max(0, (NIODeadline.now() - sentAt).nanoseconds / 1000))
            _ = result.latency.record(micros)
            if status == 200 { result.succeeded += 1 } else { result.failed += 1 }
            if let body {
                result.bodies.append(body)
                self.body = nil
            }
            sendNext(context: context)
        }
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
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
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
