import Hummingbird
import Tracing

/// Outermost: each request is a server span `METHOD route-template` (`POST /auth/{provider}/login`)
/// with `http.request.method`, `http.route` and `http.response.status_code`, at the root of a
/// new trace. An incoming `traceparent` is ignored: the API is public, and a client must not
/// choose our trace ids or join our traces. Never the path's values, the query or the client's
/// address. A job the request enqueues carries this trace on to the worker.
struct RequestSpanMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withSpan(request.method.rawValue, context: .topLevel, ofKind: .server) { span in
            span.attributes["http.request.method"] = request.method.rawValue
            defer {
                let route = context.endpointPath ?? "NotFound"
                span.operationName = "\(request.method.rawValue) \(route)"
                span.attributes["http.route"] = route
            }
            let response = try await next(request, context)
            span.attributes["http.response.status_code"] = Int(response.status.code)
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }
}
