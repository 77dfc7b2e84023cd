import Hummingbird

/// Runs the handlers of database-bound routes on the pool's task executor
/// (`PostgresPool.taskExecutor`): each answer from PostgreSQL resumes the handler on the thread
/// that read it, instead of handing it to a cooperative thread first.
struct DatabaseExecutorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let executor: any TaskExecutor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}
