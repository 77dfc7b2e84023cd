import Hummingbird

/// Counts every answer by route template, method and status, and times it. Sits outside
/// ``ErrorMiddleware``, so errors are counted with the status they were answered with.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: APIMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            route: context.endpointPath ?? "NotFound",
            method: request.method.rawValue,
            status: response.status.code,
            duration: ContinuousClock.now - started
        )
        return response
    }
}
