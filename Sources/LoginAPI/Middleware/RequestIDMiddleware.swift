import Accounts
import HTTPTypes
import Hummingbird
import Logging

/// Inside the request span (so its lines carry the trace): gives the request its id (`request.id` on every log line, `X-Request-Id` on the
/// answer), runs the rest with that logger as the task's logger, and logs one line per answer
/// with the route *template* (never the path's query: the callback's carries a code).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = context.id
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "request.id"] = "\(id)"
        let started = ContinuousClock.now
        // The audit trail records the request's id with the changes it makes (AuditContext).
        var response = try await AuditContext.$requestID.withValue(id) {
            try await withLogger(context.logger) { _ in try await next(request, context) }
        }
        response.headers[.xRequestID] = id
        context.logger.info(
            "http.request",
            metadata: [
                "http.method": "\(request.method)",
                "http.route": "\(context.endpointPath ?? "NotFound")",
                "http.status": "\(response.status.code)",
                "http.duration_ms": "\((ContinuousClock.now - started).milliseconds)",
            ]
        )
        return response
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
