import Hummingbird
import Logging

/// One token bucket per client address for the routes it guards: over the limit is
/// `429 rate_limited` with `Retry-After`, before anything else is done.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let limiter: TokenBucketLimiter
    /// Which limit, for the log line (`start`, `login`, `poll`, `refresh`).
    let name: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if case .limited(let retryAfter) = limiter.take(for: context.clientKey) {
            context.logger.info("excess_rate_limit_exceeded", metadata: ["rate_limit": "\(name)"])
            throw APIError.rateLimited(retryAfterSeconds: retryAfter)
        }
        return try await next(request, context)
    }
}
