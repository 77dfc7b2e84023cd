import Logging
import NIOCore
import NIOHTTP1
import OAuthClientSupport

/// One HTTP exchange with Kakao, turned into a decoded value or a ``KakaoAPIError``. Nothing
/// here logs or keeps a request parameter, a token or Kakao's error text.
struct KakaoTransport: Sendable {
    let http: OAuthHTTP
    let log: CallLog

    init(configuration: KakaoClientConfiguration, httpClient: ProviderHTTPClient, logger: Logger) {
        http = OAuthHTTP(
            httpClient: httpClient,
            requestTimeout: configuration.requestTimeout,
            maxResponseBytes: configuration.maxResponseBytes
        )
        log = CallLog(logger: logger, prefix: "kakao")
    }

    /// A request to send.
    struct Call {
        let operation: KakaoOperation
        let method: HTTPMethod
        let url: String
        var form: [(String, String)] = []
        var authorization: String?
    }

    /// Sends `call`, reads a 2xx answer as `T`, and maps everything else to ``KakaoAPIError``.
    func perform<T: JSONReadable>(_ call: Call, as type: T.Type) async throws(KakaoAPIError) -> T {
        let started = ContinuousClock.now
        do throws(KakaoAPIError) {
            let answer: OAuthHTTP.Answer
            do {
                answer = try await http.exchange(
                    .init(method: call.method, url: call.url, form: call.form, authorization: call.authorization)
                )
            } catch {
                throw Self.transportError(error, operation: call.operation)
            }
            guard (200..<300).contains(answer.status) else {
                throw Self.errorAnswer(call.operation, status: answer.status, body: answer.body)
            }
            guard let value = T(body: answer.body) else {
                throw KakaoAPIError.answer(operation: call.operation, status: answer.status, kakaoCode: nil, recognised: false)
            }
            record(call.operation, started: started, status: answer.status, error: nil)
            return value
        } catch {
            record(call.operation, started: started, status: error.httpStatus, error: error)
            throw error
        }
    }

    /// A non-2xx answer. Kakao's kauth (`error`, `error_code`) and kapi (`code`) shapes are
    /// recognised; only the code is kept, and with -402 the `required_scopes` (scope ids).
    /// Anything else (an HTML page, a proxy's body) is an unexpected answer classified by its
    /// status.
    static func errorAnswer(_ operation: KakaoOperation, status: Int, body: ByteBuffer) -> KakaoAPIError {
        let json = JSONValue(parsing: body)
        let code = json?["code"].flatMap { $0.int ?? $0.string.flatMap { Int($0) } }
        guard let json, json["error"]?.string != nil || code != nil else {
            return .answer(operation: operation, status: status, kakaoCode: nil, recognised: false)
        }
        let kakaoCode = json["error_code"]?.string.flatMap(KakaoErrorCode.init(rawValue:)) ?? code.map(KakaoErrorCode.init(kapi:))
        return .answer(
            operation: operation,
            status: status,
            kakaoCode: kakaoCode,
            recognised: true,
            requiredScopes: json["required_scopes"]?.strings
        )
    }

    /// A failure before or while reading the answer: connect failures were certainly not sent;
    /// anything after the request may have left is of unknown outcome.
    static func transportError(_ failure: ExchangeFailure, operation: KakaoOperation) -> KakaoAPIError {
        if failure == .unusableRequest {
            return .invalidConfiguration("the request could not be made (URL or client state)", operation: operation)
        }
        return KakaoAPIError(
            .init(named: failure.kindName),
            operation: operation,
            httpStatus: failure.status,
            delivery: failure.certainlyNotSent ? .notSent : .unknown,
            problem: failure.refusedByStatus ? .requestRefused : .unavailable
        )
    }

    private func record(_ operation: KakaoOperation, started: ContinuousClock.Instant, status: Int?, error: KakaoAPIError?) {
        log.record(
            operation: operation.rawValue,
            started: started,
            status: status,
            failure: error.map { error in
                [
                    ("error_kind", "\(error.kind)"), ("error_class", error.errorClass.rawValue), ("delivery", error.delivery.rawValue),
                ] + (error.kakaoCode.map { [("error_code", $0.rawValue)] } ?? [])
            }
        )
    }
}
