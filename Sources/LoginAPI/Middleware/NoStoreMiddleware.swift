import Hummingbird

/// `Cache-Control: no-store` on every answer that has none: the `/auth` and `/me` answers carry
/// tokens, attempts or users.
struct NoStoreMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
