import HTTPTypes
import Hummingbird
import Logging

/// On the cookie-bound POSTs (start, login): a present `Origin` that is neither this server's
/// own nor an allowed one is `403 origin_not_allowed` (a cross-site form or script riding on the
/// attempt cookie). Requests without `Origin` (curl, native clients) pass.
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let allowed: AllowedOrigins

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let origin = request.headers[.origin], !AllowedOrigins.isOwn(origin, request: request), !allowed.allows(origin) {
            context.logger.info("http.origin_refused")
            throw APIError(.forbidden, .originNotAllowed, "Requests from this origin are not allowed.")
        }
        return try await next(request, context)
    }
}
