import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// One HTTP exchange with a provider, size-limited and deadline-bound, whose failures are sorted
/// into provider-neutral ``ExchangeFailure``s (each provider turns them into its own error).
/// Nothing here logs or keeps a request parameter, a token or the provider's text.
package struct OAuthHTTP: Sendable {
    package let httpClient: ProviderHTTPClient
    /// Longest whole call, connection wait included.
    package let requestTimeout: Duration
    /// Largest answer read.
    package let maxResponseBytes: Int

    package init(httpClient: ProviderHTTPClient, requestTimeout: Duration, maxResponseBytes: Int) {
        self.httpClient = httpClient
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// A request to send: a form body goes with every POST (empty when `form` is).
    package struct Request: Sendable {
        package var method: HTTPMethod
        package var url: String
        package var form: [(String, String)]
        package var authorization: String?

        package init(method: HTTPMethod, url: String, form: [(String, String)] = [], authorization: String? = nil) {
            self.method = method
            self.url = url
            self.form = form
            self.authorization = authorization
        }
    }

    /// A complete answer, whatever its status.
    package struct Answer: Sendable {
        package let status: Int
        package let headers: HTTPHeaders
        package let body: ByteBuffer
    }

    /// Sends `request` and reads the whole answer (at most ``maxResponseBytes``), in a client
    /// span of the current trace (``ProviderCallSpan``).
    package func exchange(_ request: Request) async throws(ExchangeFailure) -> Answer {
        let result = await withSpan(ProviderCallSpan.name(request.method), ofKind: .client) { span in
            ProviderCallSpan.describe(span, request: request)
            do throws(ExchangeFailure) {
                let answer = try await send(request)
                ProviderCallSpan.record(span, status: answer.status)
                return Result<Answer, ExchangeFailure>.success(answer)
            } catch {
                ProviderCallSpan.record(span, failure: error)
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func send(_ request: Request) async throws(ExchangeFailure) -> Answer {
        if Task.isCancelled { throw .cancelled(sent: false) }
        return try await httpClient.execute(request, deadline: .now() + TimeAmount(requestTimeout), maxResponseBytes: maxResponseBytes)
    }
}

/// Why an exchange gave no readable answer. Connect failures were certainly not sent; anything
/// after the request may have left is of unknown outcome.
package enum ExchangeFailure: Error, Hashable {
    /// The answer was larger than the limit (its status is known, its body is not).
    case responseTooLarge(status: Int)
    /// No connection could be made: the request was not sent.
    case connectFailed
    /// No (complete) answer in time.
    case timedOut
    /// The connection closed before the answer was complete.
    case connectionLost
    /// Another network or protocol error.
    case transport
    /// The calling task was cancelled (`sent`: the request may have left).
    case cancelled(sent: Bool)
    /// The request could not be made (URL or client state).
    case unusableRequest

    /// The failure's name, as both providers' error kinds spell it (`connect_failed`, …).
    package var kindName: String {
        switch self {
        case .responseTooLarge: "response_too_large"
        case .connectFailed: "connect_failed"
        case .timedOut: "timed_out"
        case .connectionLost: "connection_lost"
        case .transport: "transport"
        case .cancelled: "cancelled"
        case .unusableRequest: "invalid_configuration"
        }
    }

    /// True when the request certainly did not leave (a connect failure, a cancellation before
    /// sending); otherwise its outcome is unknown.
    package var certainlyNotSent: Bool {
        self == .connectFailed || self == .cancelled(sent: false) || self == .unusableRequest
    }

    /// The status of an answer too large to read.
    package var status: Int? {
        if case .responseTooLarge(let status) = self { status } else { nil }
    }

    /// True for an answer too large to read whose status was a 4xx: the request was refused, not
    /// worth retrying.
    package var refusedByStatus: Bool {
        status.map { (400..<500).contains($0) } ?? false
    }
}

extension TimeAmount {
    package init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension HTTPHeaders {
    /// How long the answer may be kept, from `Cache-Control` (`max-age` less `Age`): zero for
    /// `no-store`/`no-cache`, nil when the header says nothing.
    package var cacheLifetime: Duration? {
        let directives = self["Cache-Control"].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if directives.contains(where: { $0 == "no-store" || $0 == "no-cache" }) { return .zero }
        guard let maxAge = directives.lazy.compactMap({ $0.hasPrefix("max-age=") ? Int($0.dropFirst(8)) : nil }).first else {
            return nil
        }
        let age = self["Age"].first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return .seconds(Swift.max(0, maxAge - Swift.max(0, age)))
    }
}

/// The debug line of one provider call: `<prefix>.operation`, `<prefix>.duration_ms`,
/// `<prefix>.status` and, for a failure, the members the provider names (never a token, code,
/// secret or the provider's text).
package struct CallLog: Sendable {
    package let logger: Logger
    /// `kakao`, `google`.
    package let prefix: String

    package init(logger: Logger, prefix: String) {
        self.logger = logger
        self.prefix = prefix
    }

    package func record(operation: String, started: ContinuousClock.Instant, status: Int?, failure: [(String, String)]?) {
        let elapsed = (ContinuousClock.now - started).components
        var metadata: Logger.Metadata = [
            "\(prefix).operation": "\(operation)",
            "\(prefix).duration_ms": "\(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)",
        ]
        if let status { metadata["\(prefix).status"] = "\(status)" }
        if let failure {
            for (name, value) in failure { metadata["\(prefix).\(name)"] = "\(value)" }
            logger.debug("\(prefix) call failed", metadata: metadata)
        } else {
            logger.debug("\(prefix) call succeeded", metadata: metadata)
        }
    }
}
