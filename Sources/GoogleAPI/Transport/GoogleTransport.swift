import Logging
import NIOCore
import NIOHTTP1
import OAuthClientSupport

/// One HTTP exchange with Google, turned into a decoded value or a ``GoogleAPIError``. Nothing
/// here logs or keeps a request parameter, a token or Google's error text.
struct GoogleTransport: Sendable {
    let http: OAuthHTTP
    let log: CallLog

    init(configuration: GoogleClientConfiguration, httpClient: ProviderHTTPClient, logger: Logger) {
        http = OAuthHTTP(
            httpClient: httpClient,
            requestTimeout: configuration.requestTimeout,
            maxResponseBytes: configuration.maxResponseBytes
        )
        log = CallLog(logger: logger, prefix: "google")
    }

    /// Sends `request` and reads a 2xx answer with `read` (nil: an unexpected answer of unknown
    /// outcome); anything else becomes a ``GoogleAPIError``. `accept` may take an error answer as
    /// a success (revoke's `invalid_token`): `read` then reads it too.
    func send<T>(
        _ operation: GoogleOperation,
        _ request: OAuthHTTP.Request,
        accept: (GoogleAPIError) -> Bool = { _ in false },
        read: (OAuthHTTP.Answer) -> T?
    ) async throws(GoogleAPIError) -> T {
        let started = ContinuousClock.now
        do throws(GoogleAPIError) {
            let answer: OAuthHTTP.Answer
            do {
                answer = try await http.exchange(request)
            } catch {
                throw Self.transportError(error, operation: operation)
            }
            if !(200..<300).contains(answer.status) {
                let error = Self.errorAnswer(operation, status: answer.status, body: answer.body)
                guard accept(error) else { throw error }
            }
            guard let value = read(answer) else { throw GoogleAPIError.unexpected(operation: operation, status: answer.status) }
            record(operation, started: started, status: answer.status, error: nil)
            return value
        } catch {
            record(operation, started: started, status: error.httpStatus, error: error)
            throw error
        }
    }

    /// Sends `request` and reads its 2xx answer as `T`.
    func perform<T: JSONReadable>(
        _ operation: GoogleOperation,
        _ request: OAuthHTTP.Request,
        as type: T.Type
    ) async throws(GoogleAPIError) -> T {
        try await send(operation, request) { T(body: $0.body) }
    }

    /// A non-2xx answer. Google's OAuth shape (`{"error": "invalid_grant", …}`) and its API shape
    /// (`{"error": {"code", "message", "status"}}`) are recognised; only a known `error` value is
    /// kept. Anything else (an HTML page, a proxy's body) is an unexpected answer classified by
    /// its status.
    static func errorAnswer(_ operation: GoogleOperation, status: Int, body: ByteBuffer) -> GoogleAPIError {
        let error = JSONValue(parsing: body)?["error"]
        // The API shape's `status`, when present, must be a string.
        let apiError = error?.object.flatMap { JSONValue.isOptionalString($0["status"]) ? $0 : nil }
        guard error?.string != nil || apiError != nil else {
            return .unexpected(operation: operation, status: status)
        }
        return .answer(
            operation: operation,
            status: status,
            googleError: error?.string.flatMap(GoogleErrorCode.init(rawValue:)),
            recognised: true
        )
    }

    /// A failure before or while reading the answer: connect failures were certainly not sent;
    /// anything after the request may have left is of unknown outcome.
    static func transportError(_ failure: ExchangeFailure, operation: GoogleOperation) -> GoogleAPIError {
        if failure == .unusableRequest {
            return .invalidConfiguration("the request could not be made (URL or client state)", operation: operation)
        }
        return GoogleAPIError(
            .init(named: failure.kindName),
            operation: operation,
            httpStatus: failure.status,
            delivery: failure.certainlyNotSent ? .notSent : .unknown,
            problem: failure.refusedByStatus ? .requestRefused : .unavailable
        )
    }

    private func record(_ operation: GoogleOperation, started: ContinuousClock.Instant, status: Int?, error: GoogleAPIError?) {
        log.record(operation: operation.rawValue, started: started, status: status, failure: error.map(Self.metadata))
    }

    private static func metadata(_ error: GoogleAPIError) -> [(String, String)] {
        [("error_kind", "\(error.kind)"), ("error_class", error.errorClass.rawValue), ("delivery", error.delivery.rawValue)]
            + (error.googleError.map { [("error", $0.rawValue)] } ?? [])
    }
}
