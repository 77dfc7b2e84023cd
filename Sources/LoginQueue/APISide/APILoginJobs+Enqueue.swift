import Foundation
import Logging
import Postgres

extension APILoginJobs {
    /// Enqueues a posted code for `provider`, readable by `reader`.
    /// - Parameters:
    ///   - redirectURI: for an attempt, it must be the attempt's (nil: the attempt's); without
    ///     one, it must be in the allow-list (nil: its first).
    ///   - loginID: the new login's public id (the caller may need to know it before the job is
    ///     committed); a re-post of the same code by the same attempt answers the earlier login's
    ///     id instead.
    ///   - logger: the caller's logger (an HTTP request's, with its `request.id`); `nil` uses
    ///     this type's. Its lines get `login.id`.
    /// - Throws: ``LoginQueueError``: `invalid_code`, `invalid_state`, `attempt_not_found`,
    ///   `attempt_expired`, `attempt_already_used`, `redirect_uri_not_allowed`,
    ///   `code_already_submitted`, `database_unavailable`.
    public func enqueue(
        code: String,
        redirectURI: String?,
        reader: LoginReaderBinding,
        provider: ConfiguredProvider,
        loginID: UUID = UUID(),
        logger: Logger? = nil
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        guard CodeFormat.isValidCode(code) else { throw LoginQueueError(.invalidCode) }
        let fingerprints = sealing.fingerprints(of: code, purpose: .code)
        let binding: [UInt8]
        let codeReader: CodeEnqueue.Reader
        var pollToken: String?
        switch reader {
        case .attempt(let attemptToken, let state):
            guard CodeFormat.isValidState(state) else { throw LoginQueueError(.invalidState) }
            guard CodeFormat.isValidToken(attemptToken.text) else { throw LoginQueueError(.attemptNotFound) }
            if let redirectURI, !provider.allows(redirectURI: redirectURI) { throw LoginQueueError(.redirectURINotAllowed) }
            binding = attemptToken.digest
            codeReader = .attempt(stateHash: SecretToken.sha256(state), redirectURI: redirectURI)
        case .newPollToken:
            guard let redirect = provider.redirectURI(redirectURI) else { throw LoginQueueError(.redirectURINotAllowed) }
            let token = SecretToken.random()
            pollToken = token
            binding = SecretToken.sha256(token)
            codeReader = .pollToken(redirectURI: redirect)
        }
        let sealedCode = try LoginQueueError.sealing { try sealing.seal(code, for: LoginJobsTable.codeContext(loginID)) }
        let post = CodeEnqueue(
            loginID: loginID,
            provider: provider.name,
            reader: codeReader,
            binding: binding,
            fingerprints: fingerprints,
            sealedCode: sealedCode,
            traceContext: JobTraceContext.current(),
            deadlineSeconds: configuration.jobDeadline.seconds,
            notifies: debouncer.shouldNotify()
        )
        let rows = try await LoginQueueError.database(scopedLogger(logger, loginID: loginID), "enqueue") {
            try await enqueues.query(post, Self.enqueueStatement(codeReader))
        }
        if let inserted = try? rows.first?.decode(UUID?.self, "login_id") {
            return EnqueuedLogin(loginID: inserted, pollToken: pollToken, isNew: true)
        }
        guard case .attempt(let attemptToken, let state) = reader else { throw LoginQueueError(.codeAlreadySubmitted) }
        return try await explainRefusedEnqueue(
            binding: attemptToken.digest,
            stateHash: SecretToken.sha256(state),
            provider: provider.name,
            fingerprints: fingerprints,
            redirectURI: redirectURI,
            logger: scopedLogger(logger, loginID: nil)
        )
    }
}
