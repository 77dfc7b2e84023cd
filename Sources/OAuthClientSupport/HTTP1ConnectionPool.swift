import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive HTTP/1.1 connections to providers, at most `maxConnectionsPerHost` per origin,
/// all on one event loop. A request takes the origin's most recently used idle connection, or
/// opens one, or waits for one while the origin has its maximum. A connection that answered
/// with keep-alive goes back to the pool (closed after `idleTimeout` unused); one that failed,
/// timed out or said `Connection: close` is closed.
final class HTTP1ConnectionPool: Sendable {
    /// Where connections go.
    struct Origin: Hashable, Sendable {
        let isTLS: Bool
        let host: String
        let port: Int
    }

    /// What a request's cancellation needs to know: the exchange it was written on, or the
    /// place it waits in.
    struct Ticket {
        fileprivate var exchange: HTTP1Exchange?
        fileprivate var waiter: Int?
        fileprivate var isCancelled = false
        init() {}
    }

    private let loop: any EventLoop
    private let connectTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let maxConnectionsPerHost: Int
    private let tlsConfiguration: TLSConfiguration
    private let state: NIOLoopBoundBox<State>

    private struct State {
        var idle: [Origin: [PooledConnection]] = [:]
        var open: [Origin: Int] = [:]
        var waiting: [Origin: [Waiter]] = [:]
        var nextWaiter = 0
        var sslContext: NIOSSLContext?
        var isShutDown = false
    }

    private struct Waiter {
        let id: Int
        let promise: EventLoopPromise<NIOLoopBound<PooledConnection>>
    }

    /// An open connection, its dialogue handler, and its timer while idle.
    private final class PooledConnection {
        let channel: any Channel
        let exchange: HTTP1Exchange
        var idleTimer: Scheduled<Void>?

        init(channel: any Channel, exchange: HTTP1Exchange) {
            self.channel = channel
            self.exchange = exchange
        }
    }

    init(
        loop: any EventLoop,
        connectTimeout: Duration,
        idleTimeout: Duration,
        maxConnectionsPerHost: Int,
        tlsConfiguration: TLSConfiguration
    ) {
        self.loop = loop
        self.connectTimeout = TimeAmount(connectTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.maxConnectionsPerHost = max(1, maxConnectionsPerHost)
        self.tlsConfiguration = tlsConfiguration
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: loop)
    }

    /// A ticket for ``send(_:to:ticket:)`` and ``cancel(_:)``.
    func makeTicket() -> NIOLoopBoundBox<Ticket> {
        NIOLoopBoundBox.makeBoxSendingValue(Ticket(), eventLoop: loop)
    }

    /// Sends `request` to `origin` and collects its answer; fails with an ``ExchangeFailure``.
    func send(
        _ request: HTTP1Exchange.Request,
        to origin: Origin,
        ticket: NIOLoopBoundBox<Ticket>
    ) -> EventLoopFuture<OAuthHTTP.Answer> {
        loop.flatSubmit {
            self.acquire(origin, deadline: request.deadline, ticket: ticket).flatMap { connection in
                guard !ticket.value.isCancelled else {
                    self.release(connection.value, to: origin)
                    return self.loop.makeFailedFuture(ExchangeFailure.cancelled(sent: false))
                }
                ticket.value.exchange = connection.value.exchange
                let promise = self.loop.makePromise(of: HTTP1Exchange.Outcome.self)
                connection.value.exchange.send(request, promise: promise)
                return promise.futureResult.always { result in
                    ticket.value.exchange = nil
                    if case .success(let outcome) = result, outcome.keepAlive, connection.value.exchange.isUsable {
                        self.release(connection.value, to: origin)
                    } else {
                        self.discard(connection.value, of: origin)
                    }
                }.map(\.answer)
            }
        }
    }

    /// Ends the ticket's request: a written one fails with `cancelled(sent: true)` and its
    /// connection closes; one still waiting for a connection fails with `cancelled(sent: false)`.
    func cancel(_ ticket: NIOLoopBoundBox<Ticket>) {
        loop.execute {
            ticket.value.isCancelled = true
            if let exchange = ticket.value.exchange {
                exchange.abandon(.cancelled(sent: true))
            } else if let id = ticket.value.waiter {
                self.failWaiter(id, with: .cancelled(sent: false))
            }
        }
    }

    /// Closes every idle connection and refuses new requests; busy ones close when they end.
    func shutDown() -> EventLoopFuture<Void> {
        loop.flatSubmit {
            self.state.value.isShutDown = true
            let idle = self.state.value.idle.values.flatMap { $0 }
            self.state.value.idle = [:]
            let waiting = self.state.value.waiting.values.flatMap { $0 }
            self.state.value.waiting = [:]
            for waiter in waiting { waiter.promise.fail(ExchangeFailure.unusableRequest) }
            let closed = idle.map { connection in
                connection.idleTimer?.cancel()
                return connection.channel.close().recover { _ in }
            }
            return EventLoopFuture.andAllComplete(closed, on: self.loop)
        }
    }

    private func acquire(
        _ origin: Origin,
        deadline: NIODeadline,
        ticket: NIOLoopBoundBox<Ticket>
    ) -> EventLoopFuture<NIOLoopBound<PooledConnection>> {
        if state.value.isShutDown { return loop.makeFailedFuture(ExchangeFailure.unusableRequest) }
        while let connection = state.value.idle[origin]?.popLast() {
            connection.idleTimer?.cancel()
            connection.idleTimer = nil
            if connection.channel.isActive, connection.exchange.isUsable {
                return loop.makeSucceededFuture(NIOLoopBound(connection, eventLoop: loop))
            }
            connection.channel.close(promise: nil)
            state.value.open[origin, default: 1] -= 1
        }
        if state.value.open[origin, default: 0] < maxConnectionsPerHost {
            return connect(origin)
        }
        let waiter = Waiter(id: state.value.nextWaiter, promise: loop.makePromise())
        state.value.nextWaiter += 1
        state.value.waiting[origin, default: []].append(waiter)
        ticket.value.waiter = waiter.id
        // Still waiting at the deadline: the request never left.
        let timeout = loop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.failWaiter(waiter.id, with: .connectFailed)
        }
        return waiter.promise.futureResult.always { _ in
            timeout.cancel()
            ticket.value.waiter = nil
        }
    }

    private func failWaiter(_ id: Int, with failure: ExchangeFailure) {
        for (origin, waiters) in state.value.waiting {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { continue }
            state.value.waiting[origin]?.remove(at: index)
            waiters[index].promise.fail(failure)
            return
        }
    }

    private func connect(_ origin: Origin) -> EventLoopFuture<NIOLoopBound<PooledConnection>> {
        state.value.open[origin, default: 0] += 1
        let sslContext: NIOSSLContext?
        do {
            sslContext = origin.isTLS ? try tlsContext() : nil
        } catch {
            return connectFailed(origin, with: .unusableRequest)
        }
        let loop = self.loop
        return ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        // SNI and certificate checks name the host; an IP address is checked without SNI.
                        let hostname = origin.host.isIPAddress ? nil : origin.host
                        try pipeline.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: hostname))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTP1Exchange(isTLS: origin.isTLS))
                }
            }
            .connect(host: origin.host, port: origin.port)
            .flatMapThrowing { channel in
                let exchange = try channel.pipeline.syncOperations.handler(type: HTTP1Exchange.self)
                return NIOLoopBound(PooledConnection(channel: channel, exchange: exchange), eventLoop: loop)
            }
            .flatMapError { _ in self.connectFailed(origin, with: .connectFailed) }
    }

    private func connectFailed(_ origin: Origin, with failure: ExchangeFailure) -> EventLoopFuture<NIOLoopBound<PooledConnection>> {
        state.value.open[origin, default: 1] -= 1
        serveWaiter(of: origin)
        return loop.makeFailedFuture(failure)
    }

    private func tlsContext() throws -> NIOSSLContext {
        if let context = state.value.sslContext { return context }
        let context = try NIOSSLContext(configuration: tlsConfiguration)
        state.value.sslContext = context
        return context
    }

    private func release(_ connection: PooledConnection, to origin: Origin) {
        if state.value.isShutDown {
            discard(connection, of: origin)
        } else if let waiter = state.value.waiting[origin]?.first {
            state.value.waiting[origin]?.removeFirst()
            waiter.promise.succeed(NIOLoopBound(connection, eventLoop: loop))
        } else {
            let bound = NIOLoopBound(connection, eventLoop: loop)
            connection.idleTimer = loop.assumeIsolated().scheduleTask(in: idleTimeout) {
                self.expire(bound.value, of: origin)
            }
            state.value.idle[origin, default: []].append(connection)
        }
    }

    /// An idle connection unused for `idleTimeout` closes.
    private func expire(_ connection: PooledConnection, of origin: Origin) {
        guard let index = state.value.idle[origin]?.firstIndex(where: { $0 === connection }) else { return }
        state.value.idle[origin]?.remove(at: index)
        discard(connection, of: origin)
    }

    private func discard(_ connection: PooledConnection, of origin: Origin) {
        connection.idleTimer?.cancel()
        connection.channel.close(promise: nil)
        state.value.open[origin, default: 1] -= 1
        serveWaiter(of: origin)
    }

    /// When a connection closed, the first waiter gets a new one.
    private func serveWaiter(of origin: Origin) {
        guard !state.value.isShutDown, let waiter = state.value.waiting[origin]?.first else { return }
        state.value.waiting[origin]?.removeFirst()
        connect(origin).cascade(to: waiter.promise)
    }
}

extension String {
    /// An IPv4 or IPv6 literal (what TLS's SNI must not carry).
    fileprivate var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}
