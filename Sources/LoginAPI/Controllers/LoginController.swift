import Accounts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import LoginQueue
import ServiceLifecycle

/// `/auth/{provider}` of one provider (`kakao`, `google`): start an attempt (or a link), post
/// the code, read (long-poll) the login.
struct LoginController: Sendable {
    let attempts: LoginAttempts
    let jobs: APILoginJobs
    /// To find the signed-in user of a link.
    let sessions: Sessions
    let waiters: LoginWaiters
    /// `503 queue_full` while too many jobs are queued.
    let queueGate: CountGate
    /// `503 queue_full` while too many attempts of all clients are unused.
    let attemptGate: CountGate
    let pollSlots: PollSlots
    let binding: AttemptBinding
    let requireState: Bool
    let pollRecheckInterval: Duration
    let metrics: APIMetrics

    /// The provider of this controller's routes.
    var provider: ConfiguredProvider { attempts.configuredProvider }

    // MARK: - POST /auth/{provider}/start

    /// Starts an attempt; with `"link": true` and a Bearer token, one that links the provider's
    /// identity to that signed-in user (a missing, invalid or revoked token is refused with 401
    /// before anything is written). `"scope"` asks for more consent items (Kakao's incremental
    /// consent); with a Bearer token the login re-consents the signed-in user's identity as a
    /// link does: it lands on that user, who keeps their session, and an invalid token is 401.
    func start(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(StartRequest.self, from: request)
        let scopes = try body.additionalScopes(allowed: provider.provider.allowsAdditionalScopes)
        var linkUserID: UUID?
        // A scope request that presents credentials is a re-consent: they must be good.
        if body.link == true || (!scopes.isEmpty && request.headers[.authorization] != nil) {
            guard let bearer = UserController.bearerToken(request) else { throw AccountsError(.invalidAccessToken) }
            linkUserID = try await sessions.user(authorizedBy: bearer).id
        }
        try await attemptGate.check()
        let started = try await attempts.start(
            redirectURI: body.redirectURI,
            clientKey: context.clientKey?.description,
            linkUserID: linkUserID,
            additionalScopes: scopes,
            logger: context.logger
        )
        context.logger.info("login.attempt.started", metadata: ["login.attempt.id": "\(started.attemptID.uuidString.lowercased())"])
        let answer = StartResponse(
            authorizeURL: started.authorizeURL,
            state: started.state,
            attemptToken: started.attemptToken,
            expiresIn: Int(started.lifetime.components.seconds)
        )
        let cookie = binding.setCookie(token: started.attemptToken, lifetime: started.lifetime)
        return JSONBody.response(answer, headers: [.setCookie: cookie])
    }

    // MARK: - POST /auth/{provider}/login

    func login(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(LoginRequest.self, from: request)
        guard let code = body.code else { throw LoginQueueError(.invalidCode) }
        let attemptToken = binding.attemptToken(of: request)
        if attemptToken == nil {
            // The stateless flow is the only one without an attempt; a state of the frontend's
            // own making, if any, is not ours to check.
            guard !requireState else { throw LoginQueueError(body.state == nil ? .stateRequired : .attemptNotFound) }
        }
        try await queueGate.check()
        let enqueued: EnqueuedLogin
        if let attemptToken {
            guard let state = body.state else { throw LoginQueueError(.invalidState) }
            // Known pending from before its commit, so its completion cannot slip past unseen.
            let loginID = UUID()
            waiters.expectCompletion(of: loginID, reader: attemptToken)
            do {
                enqueued = try await jobs.enqueue(
                    code: code,
                    redirectURI: body.redirectURI,
                    reader: .attempt(attemptToken, state: state),
                    provider: provider,
                    loginID: loginID,
                    logger: context.logger
                )
            } catch {
                waiters.forget(loginID)
                throw error
            }
            if enqueued.loginID != loginID { waiters.forget(loginID) }
        } else {
            enqueued = try await jobs.enqueue(
                code: code,
                redirectURI: body.redirectURI,
                reader: .newPollToken,
                provider: provider,
                logger: context.logger
            )
        }
        metrics.recordEnqueued(isNew: enqueued.isNew)
        context.logger.info(
            enqueued.isNew ? "login.enqueued" : "login.enqueued.repeat",
            metadata: [
                "login.id": "\(enqueued.loginID.uuidString.lowercased())", "login.flow": "\(attemptToken == nil ? "stateless" : "attempt")",
            ]
        )
        return JSONBody.response(
            LoginAccepted(loginID: enqueued.loginID, pollToken: enqueued.pollToken),
            status: .accepted
        )
    }

    // MARK: - GET /auth/{provider}/login/{login_id}

    /// Reads the login for the attempt (or poll token) that started it. Unknown ids, ids that
    /// are not UUIDs, and other readers' logins are all `404 not_found`.
    func poll(_ request: Request, context: APIRequestContext) async throws -> Response {
        let arrived = ContinuousClock.now
        let wait = try Self.waitSeconds(request)
        guard let loginID = context.parameters.get("login_id").flatMap(UUID.init(uuidString:)),
            let reader = binding.readerToken(of: request)
        else { throw APIError.notFound }
        var logger = context.logger
        logger[metadataKey: "login.id"] = "\(loginID.uuidString.lowercased())"

        // Beyond the client's or the login's bound of waiting polls, answer at once.
        let slot = wait > 0 ? pollSlots.acquire(client: context.clientKey, loginID: loginID) : nil
        metrics.recordWaitingPolls(pollSlots.waiting)
        defer {
            if let slot {
                pollSlots.release(slot)
                metrics.recordWaitingPolls(pollSlots.waiting)
            }
        }
        if wait > 0, slot == nil {
            metrics.recordPollAnsweredAtOnce()
            logger.info("excess_poll_answered_at_once")
        }
        let status = try await read(
            loginID: loginID,
            reader: reader,
            device: SessionDevice(request: request, context: context),
            waitingUpTo: .seconds(slot == nil ? 0 : wait),
            logger: logger
        )
        let result = result(of: status, logger: logger)
        var failure: LoginFailureCode?
        if case .failed(let code, _, _) = status { failure = code }
        metrics.recordPollAnswer(status: result.status, failureCode: failure, duration: ContinuousClock.now - arrived)
        logger.debug("login.poll.answered", metadata: ["login.status": "\(result.status)"])
        // A refused link is a conflict (the body says which).
        let refusedLink = failure == .identityAlreadyLinked || failure == .providerAlreadyLinked
        return JSONBody.response(result, status: refusedLink ? .conflict : .ok)
    }

    /// Reads until the login is no longer pending or `wait` is over. The waiter is registered
    /// before the first read, so a completion between a read and the wait is not lost. A login
    /// this process enqueued and has not heard the end of is known pending: the first read is
    /// skipped (see ``LoginWaiters``).
    private func read(
        loginID: UUID,
        reader: ReaderToken,
        device: SessionDevice,
        waitingUpTo wait: Duration,
        logger: Logger
    ) async throws -> LoginStatus {
        let deadline = ContinuousClock.now + wait
        let registration = wait > .zero ? waiters.register(loginID) : nil
        defer { registration.map(waiters.unregister) }
        var knownPending = registration != nil && waiters.isAwaitingCompletion(loginID, reader: reader)
        while true {
            let status: LoginStatus
            if knownPending {
                status = .pending
                knownPending = false
            } else {
                guard let read = try await jobs.read(loginID: loginID, readerToken: reader, device: device, logger: logger) else {
                    throw APIError.notFound
                }
                status = read
            }
            let now = ContinuousClock.now
            guard case .pending = status, let registration, now < deadline, !Task.isCancelled,
                !Task.isShuttingDownGracefully
            else { return status }
            await registration.wait(upTo: min(deadline - now, pollRecheckInterval))
        }
    }

    private func result(of status: LoginStatus, logger: Logger) -> LoginResult {
        switch status {
        case .pending:
            return .pending
        case .failed(let code, let providerError, let requiredScopes):
            return .failed(.init(code: code.rawValue, message: code.message, providerError: providerError, requiredScopes: requiredScopes))
        case .succeeded(let success) where success.linked:
            return .linked(user: success.user)
        case .succeeded(let success):
            guard let delivery = success.delivery else { return .succeededStatusOnly }
            if delivery.isFirstDelivery {
                logger.info(
                    "authn_login_success",
                    metadata: [
                        "user.id": "\(success.userID.uuidString.lowercased())",
                        "session.id": "\(delivery.tokens.sessionID.uuidString.lowercased())",
                    ]
                )
            }
            return .succeeded(isNewUser: success.isNewUser, user: success.user, tokens: TokenPair(delivery.tokens))
        }
    }

    /// `wait` in seconds: absent is 0; anything but an integer in 0…30 is `400 invalid_request`.
    static func waitSeconds(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("wait") else { return 0 }
        guard let seconds = Int(text), (0...LoginAPIConfiguration.maximumWaitSeconds).contains(seconds) else {
            throw APIError.invalidRequest("wait must be an integer from 0 to \(LoginAPIConfiguration.maximumWaitSeconds).")
        }
        return seconds
    }
}
