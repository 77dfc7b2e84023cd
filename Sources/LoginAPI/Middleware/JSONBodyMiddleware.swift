import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// For POST routes: the body must be `application/json` (any parameters), else
/// `415 unsupported_media_type`, and at most `maxBytes`, else `413 payload_too_large`. An empty
/// body without a `Content-Type` counts as `{}`. The body is collected here, once.
struct JSONBodyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let contentType = request.headers[.contentType]
        if let contentType, !Self.isJSON(contentType) { throw Self.unsupportedMediaType }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBytes {
            throw ErrorMiddleware.payloadTooLarge
        }
        let body = try await request.collectBody(upTo: maxBytes)
        if contentType == nil, body.readableBytes > 0 { throw Self.unsupportedMediaType }
        return try await next(request, context)
    }

    static let unsupportedMediaType = APIError(
        .unsupportedMediaType,
        .unsupportedMediaType,
        "The request body must be application/json."
    )

    /// `application/json`, case-insensitive, with or without parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingHTTPWhitespace().lowercased() == "application/json"
    }
}
