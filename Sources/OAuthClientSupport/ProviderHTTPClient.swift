import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP client the provider clients share: keep-alive HTTP/1.1 over TCP or TLS, at most
/// `maxConnectionsPerHost` pooled connections per origin, one whole answer per request, redirects
/// never followed (a redirect must not carry a code or secret elsewhere), no decompression, and
/// failures that say whether a request may have left (``ExchangeFailure``). It replaced
/// AsyncHTTPClient here, whose per-request work was most of the worker's own CPU left (the
/// worker's CPU per login went to 0.79×; docs/BENCHMARKS.md). The owner shuts it down after the
/// last call, or runs it in a ServiceGroup with ``HTTPClientService``.
package final class ProviderHTTPClient: Sendable {
    /// Timeouts, limits and TLS.
    package struct Configuration: Sendable {
        /// Longest wait for a TCP connection (the TLS handshake is part of the request's time).
        package var connectTimeout: Duration
        /// Longest silence while an answer is owed.
        package var readTimeout: Duration
        /// How long a connection may stay idle in the pool.
        package var idleTimeout: Duration
        /// Connections per origin; more requests wait for one.
        package var maxConnectionsPerHost: Int
        /// For `https` origins: the system's trust roots unless set otherwise.
        package var tlsConfiguration: TLSConfiguration

        package init(
            connectTimeout: Duration,
            readTimeout: Duration,
            idleTimeout: Duration = .seconds(60),
            maxConnectionsPerHost: Int,
            tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
        ) {
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.idleTimeout = idleTimeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.tlsConfiguration = tlsConfiguration
        }
    }

    package let configuration: Configuration
    private let pool: HTTP1ConnectionPool

    /// - Parameter eventLoopGroup: its connections live on one of its loops.
    package init(configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        pool = HTTP1ConnectionPool(
            loop: eventLoopGroup.next(),
            connectTimeout: configuration.connectTimeout,
            idleTimeout: configuration.idleTimeout,
            maxConnectionsPerHost: configuration.maxConnectionsPerHost,
            tlsConfiguration: configuration.tlsConfiguration
        )
    }

    /// Sends `request` (a POST with its form as the body) and reads the whole answer, at most
    /// `maxResponseBytes` of it, by `deadline`. Cancelling the calling task ends the request.
    package func execute(
        _ request: OAuthHTTP.Request,
        deadline: NIODeadline,
        maxResponseBytes: Int
    ) async throws(ExchangeFailure) -> OAuthHTTP.Answer {
        guard let target = Target(request.url) else { throw .unusableRequest }
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: target.uri)
        head.headers.add(name: "Host", value: target.hostHeader)
        head.headers.add(name: "Accept", value: "application/json")
        if let authorization = request.authorization { head.headers.add(name: "Authorization", value: authorization) }
        var body: ByteBuffer?
        if request.method == .POST {
            let form = ByteBuffer(string: FormBody.encode(request.form))
            head.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
            head.headers.add(name: "Content-Length", value: String(form.readableBytes))
            body = form
        }
        let exchange = HTTP1Exchange.Request(
            head: head,
            body: body,
            deadline: deadline,
            readTimeout: TimeAmount(configuration.readTimeout),
            maxBytes: maxResponseBytes
        )
        let ticket = pool.makeTicket()
        do {
            return try await withTaskCancellationHandler {
                try await pool.send(exchange, to: target.origin, ticket: ticket).get()
            } onCancel: {
                pool.cancel(ticket)
            }
        } catch let failure as ExchangeFailure {
            throw failure
        } catch {
            throw .transport
        }
    }

    /// Closes the idle connections and refuses new requests (``ExchangeFailure/unusableRequest``).
    package func shutdown() async {
        try? await pool.shutDown().get()
    }

    /// Where a URL's request goes, and what its request line names.
    private struct Target {
        let origin: HTTP1ConnectionPool.Origin
        let uri: String
        let hostHeader: String

        init?(_ url: String) {
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", var host = components.host, !host.isEmpty
            else { return nil }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let isTLS = scheme == "https"
            let port = components.port ?? (isTLS ? 443 : 80)
            origin = .init(isTLS: isTLS, host: host, port: port)
            let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            uri = components.percentEncodedQuery.map { path + "?" + $0 } ?? path
            let named = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
            hostHeader = components.port.map { "\(named):\($0)" } ?? named
        }
    }
}
