import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// One HTTP exchange with Kakao, turned into a decoded value or a ``KakaoAPIError``. Nothing
/// here logs or keeps a request parameter, a token or Kakao's error text.
struct KakaoTransport: Sendable {
    let configuration: KakaoClientConfiguration
    let httpClient: HTTPClient
    let logger: Logger

    /// A request to send.
    struct Call {
        let operation: KakaoOperation
        let method: HTTPMethod
        let url: String
        var form: [(String, String)] = []
        var authorization: String?
    }

    /// Sends `call`, decodes a 2xx answer as `T`, and maps everything else to ``KakaoAPIError``.
    func perform<T: Decodable>(_ call: Call, as type: T.Type) async throws(KakaoAPIError) -> T {
        let started = ContinuousClock.now
        do throws(KakaoAPIError) {
            let (status, body) = try await exchange(call)
            guard (200..<300).contains(status) else { throw Self.errorAnswer(call.operation, status: status, body: body) }
            guard let value = try? JSONDecoder().decode(T.self, from: body) else {
                throw KakaoAPIError.answer(operation: call.operation, status: status, kakaoCode: nil, recognised: false)
            }
            log(call.operation, started: started, status: status, error: nil)
            return value
        } catch {
            log(call.operation, started: started, status: error.httpStatus, error: error)
            throw error
        }
    }

    private func exchange(_ call: Call) async throws(KakaoAPIError) -> (Int, ByteBuffer) {
        var request = HTTPClientRequest(url: call.url)
        request.method = call.method
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization = call.authorization { request.headers.add(name: "Authorization", value: authorization) }
        if call.method == .POST {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
            request.body = .bytes(ByteBuffer(string: FormBody.encode(call.form)))
        }
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: deadline, logger: logger)
        } catch {
            throw Self.transportError(error, operation: call.operation, beforeResponse: true)
        }
        do {
            return (Int(response.status.code), try await response.body.collect(upTo: configuration.maxResponseBytes))
        } catch is NIOTooManyBytesError {
            throw KakaoAPIError(
                .responseTooLarge,
                operation: call.operation,
                httpStatus: Int(response.status.code),
                delivery: .unknown,
                problem: (400..<500).contains(Int(response.status.code)) ? .requestRefused : .unavailable
            )
        } catch {
            throw Self.transportError(error, operation: call.operation, beforeResponse: false)
        }
    }

    /// A non-2xx answer. Kakao's kauth (`error`, `error_code`) and kapi (`code`) shapes are
    /// recognised; only the code is kept. Anything else (an HTML page, a proxy's body) is an
    /// unexpected answer classified by its status.
    static func errorAnswer(_ operation: KakaoOperation, status: Int, body: ByteBuffer) -> KakaoAPIError {
        struct ErrorShape: Decodable {
            var error: String?
            var errorCode: String?
            var code: Int?
            enum CodingKeys: String, CodingKey {
                case error
                case errorCode = "error_code"
                case code
            }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                error = try? container.decodeIfPresent(String.self, forKey: .error)
                errorCode = try? container.decodeIfPresent(String.self, forKey: .errorCode)
                code =
                    (try? container.decodeIfPresent(Int.self, forKey: .code))
                    ?? (try? container.decodeIfPresent(String.self, forKey: .code)).flatMap { $0.flatMap(Int.init) }
            }
        }
        guard let shape = try? JSONDecoder().decode(ErrorShape.self, from: body), shape.error != nil || shape.code != nil else {
            return .answer(operation: operation, status: status, kakaoCode: nil, recognised: false)
        }
        let kakaoCode = shape.errorCode.flatMap(KakaoErrorCode.init(rawValue:)) ?? shape.code.map(KakaoErrorCode.init(kapi:))
        return .answer(operation: operation, status: status, kakaoCode: kakaoCode, recognised: true)
    }

    /// A failure before or while reading the answer. Connect failures were certainly not sent;
    /// anything after the request may have left is of unknown outcome.
    static func transportError(_ error: any Error, operation: KakaoOperation, beforeResponse: Bool) -> KakaoAPIError {
        if error is CancellationError {
            return .transport(.cancelled, operation: operation, delivery: .unknown)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return .transport(.connectFailed, operation: operation, delivery: .notSent)
            case .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown:
                return .invalidConfiguration("the request could not be made (URL or client state)", operation: operation)
            case .readTimeout, .deadlineExceeded:
                return .transport(.timedOut, operation: operation, delivery: .unknown)
            case .remoteConnectionClosed:
                return .transport(.connectionLost, operation: operation, delivery: .unknown)
            case .cancelled:
                return .transport(.cancelled, operation: operation, delivery: .unknown)
            default:
                return .transport(.transport, operation: operation, delivery: .unknown)
            }
        }
        if beforeResponse, Self.isConnectFailure(error) {
            return .transport(.connectFailed, operation: operation, delivery: .notSent)
        }
        return .transport(.transport, operation: operation, delivery: .unknown)
    }

    private static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError { return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode) }
        return false
    }

    private func log(_ operation: KakaoOperation, started: ContinuousClock.Instant, status: Int?, error: KakaoAPIError?) {
        let elapsed = (ContinuousClock.now - started).components
        var metadata: Logger.Metadata = [
            "kakao.operation": "\(operation.rawValue)",
            "kakao.duration_ms": "\(elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)",
        ]
        if let status { metadata["kakao.status"] = "\(status)" }
        if let error {
            metadata["kakao.error_kind"] = "\(error.kind)"
            metadata["kakao.error_class"] = "\(error.errorClass.rawValue)"
            metadata["kakao.delivery"] = "\(error.delivery.rawValue)"
            if let code = error.kakaoCode { metadata["kakao.error_code"] = "\(code)" }
            logger.debug("kakao call failed", metadata: metadata)
        } else {
            logger.debug("kakao call succeeded", metadata: metadata)
        }
    }
}
