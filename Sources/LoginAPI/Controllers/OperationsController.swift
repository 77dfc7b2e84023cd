import Accounts
import HTTPTypes
import Hummingbird
import NIOCore
import Postgres

/// Health, readiness, metrics and the JWKS: what operators and token verifiers read.
struct OperationsController: Sendable {
    let pool: PostgresPool
    let waiters: LoginWaiters
    let accessTokens: AccessTokenKeys
    let readinessTimeout: Duration
    let metricsExposition: (@Sendable () -> String)?

    /// `GET /healthz`: the process serves; nothing else is touched.
    func health(_ request: Request, context: APIRequestContext) -> Response {
        JSONBody.response(HealthResponse())
    }

    /// `GET /readyz`: `200` when the database answers `SELECT 1` within the timeout and the
    /// `login_done` listener is in place, else `503` naming the failing check.
    func readiness(_ request: Request, context: APIRequestContext) async -> Response {
        let database = await databaseAnswers()
        let readiness = ReadinessResponse(database: database, listener: waiters.isListening)
        return JSONBody.response(
            readiness,
            status: readiness.status == "ready" ? .ok : .serviceUnavailable,
            headers: [.cacheControl: "no-store"]
        )
    }

    /// `GET /metrics`: Prometheus text.
    func metrics(_ request: Request, context: APIRequestContext) throws -> Response {
        guard let metricsExposition else { throw APIError.notFound }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metricsExposition()))
        )
    }

    /// `GET /.well-known/jwks.json`: every verifying key; cacheable briefly.
    func jwks(_ request: Request, context: APIRequestContext) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(bytes: accessTokens.jwksJSON))
        )
    }

    private func databaseAnswers() async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await pool.query("SELECT 1")) != nil }
            group.addTask {
                try? await Task.sleep(for: readinessTimeout)
                return false
            }
            let answered = await group.next() ?? false
            group.cancelAll()
            return answered
        }
    }
}
