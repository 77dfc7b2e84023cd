import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every error into the contract's envelope. Known errors keep their code; Hummingbird's
/// own (`404` from the router, a bad path parameter) become `not_found` / `invalid_request`;
/// anything else is logged at `error` with the request id and answered `500 internal_error`
/// without details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return answer(for: error, logger: context.logger)
        }
    }

    private func answer(for error: any Error, logger: Logger) -> Response {
        if let mapped = APIError.mapped(error) {
            if mapped.code == .internalError {
                // The modules' descriptions are built to hold no secret or row value.
                logger.error("http.internal_error", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
            }
            return mapped.response()
        }
        switch error {
        case let error as HTTPError:
            return Self.apiError(for: error.status).response()
        case is NIOTooManyBytesError:
            return Self.payloadTooLarge.response()
        case is CancellationError:
            logger.debug("http.cancelled")
            return APIError.internalError.response()
        default:
            // An unknown error's description might hold anything: only its type at `error`.
            logger.error("http.unexpected_error", metadata: ["error.type": "\(type(of: error))"])
            logger.debug("http.unexpected_error.detail", metadata: ["error": "\(error)"])
            return APIError.internalError.response()
        }
    }

    static let payloadTooLarge = APIError(.contentTooLarge, .payloadTooLarge, "The request body is too large.")

    /// Hummingbird's own HTTP errors, in the envelope.
    private static func apiError(for status: HTTPResponse.Status) -> APIError {
        switch status {
        case .notFound: APIError.notFound
        case .contentTooLarge: payloadTooLarge
        case .unsupportedMediaType: JSONBodyMiddleware.unsupportedMediaType
        case _ where status.kind == .clientError: APIError.invalidRequest("The request is not valid.")
        default: APIError.internalError
        }
    }
}
