import Foundation
import Hummingbird
import Logging
import LoginQueue

/// `POST /auth/kakao/token`: a native app that logged in with Kakao's SDK posts the Kakao access
/// token (and the id_token and its nonce when OIDC is on); it is enqueued like a code and read
/// with the `poll_token` of the answer at `GET /auth/kakao/login/{login_id}` (`X-Poll-Token`).
/// The worker checks the token was issued to this app before it trusts it.
struct AppTokenLoginController: Sendable {
    /// The provider whose SDK tokens are taken (Kakao), when it takes them (`KAKAO_APP_ID` set);
    /// nil answers `404 not_found`, like a route this API does not serve.
    let provider: ConfiguredProvider?
    let jobs: APILoginJobs
    /// `503 queue_full` while too many jobs are queued.
    let queueGate: CountGate
    let metrics: APIMetrics

    /// Checks the shape of every member before anything is written or sent to Kakao
    /// (`400 invalid_provider_token`), then enqueues; the same access token posted again answers
    /// the same login and poll token.
    func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        guard let provider else { throw APIError.notFound }
        let body = try await JSONBody.decode(AppTokenRequest.self, from: request)
        guard let accessToken = body.accessToken else { throw LoginQueueError(.invalidProviderToken) }
        try await queueGate.check()
        let enqueued = try await jobs.enqueue(
            appTokens: ProviderTokens(accessToken: accessToken, idToken: body.idToken),
            nonce: body.nonce,
            provider: provider,
            logger: context.logger
        )
        metrics.recordEnqueued(isNew: enqueued.isNew)
        context.logger.info(
            enqueued.isNew ? "login.enqueued" : "login.enqueued.repeat",
            metadata: ["login.id": "\(enqueued.loginID.uuidString.lowercased())", "login.flow": "app_token"]
        )
        return JSONBody.response(LoginAccepted(loginID: enqueued.loginID, pollToken: enqueued.pollToken), status: .accepted)
    }
}
