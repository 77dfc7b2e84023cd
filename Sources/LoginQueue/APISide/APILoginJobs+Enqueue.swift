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
        let codeIsNew: SQLFragment = "NOT EXISTS \(LoginJobsTable.jobsWithCode(fingerprints, columns: "1"))"
        let source: SQLFragment
        let binding: [UInt8]
        var pollToken: String?
        // An attempt is used up by the statement that inserts its job.
        var markUsed: SQLFragment = ""
        switch reader {
        case .attempt(let attemptToken, let state):
            guard CodeFormat.isValidState(state) else { throw LoginQueueError(.invalidState) }
            guard CodeFormat.isValidToken(attemptToken.text) else { throw LoginQueueError(.attemptNotFound) }
            if let redirectURI, !provider.allows(redirectURI: redirectURI) { throw LoginQueueError(.redirectURINotAllowed) }
            binding = attemptToken.digest
            source = """
                SELECT id AS attempt_id, provider, pkce_verifier_sealed, nonce, redirect_uri, link_user_id FROM login_attempts
                WHERE binding_hash = \(binding) AND state_hash = \(SecretToken.sha256(state)) AND provider = \(provider.name)
                  AND used_at IS NULL AND expires_at > now()
                  AND (\(redirectURI)::text IS NULL OR redirect_uri = \(redirectURI)::text) AND \(codeIsNew)
                FOR UPDATE
                """
            markUsed = """
                used AS (
                    UPDATE login_attempts a SET used_at = now(), pkce_verifier_sealed = NULL
                    FROM source WHERE a.id = source.attempt_id
                ),
                """
        case .newPollToken:
            guard let redirect = provider.redirectURI(redirectURI) else { throw LoginQueueError(.redirectURINotAllowed) }
            let token = SecretToken.random()
            pollToken = token
            binding = SecretToken.sha256(token)
            source = """
                SELECT NULL::uuid AS attempt_id, \(provider.name)::text AS provider, NULL::bytea AS pkce_verifier_sealed,
                       NULL::text AS nonce, \(redirect)::text AS redirect_uri, NULL::uuid AS link_user_id
                WHERE \(codeIsNew)
                """
        }
        let sealedCode = try LoginQueueError.sealing { try sealing.seal(code, for: LoginJobsTable.codeContext(loginID)) }
        let statement: SQLQuery = """
            WITH source AS (\(source)), \(markUsed) job AS (
                INSERT INTO login_jobs
                    (login_id, provider, attempt_id, redirect_uri, nonce, binding_hash, code_hmac, code_sealed,
                     pkce_verifier_sealed, deadline_at, link_user_id, trace_context)
                SELECT \(loginID), provider, attempt_id, redirect_uri, nonce, \(binding), \(fingerprints[0]), \(sealedCode),
                       pkce_verifier_sealed, now() + make_interval(secs => \(configuration.jobDeadline.seconds)), link_user_id,
                       \(JobTraceContext.current())::text
                FROM source
                ON CONFLICT (code_hmac) DO NOTHING
                RETURNING login_id
            )
            SELECT (SELECT login_id FROM job) AS login_id,
                   (SELECT count(*) FROM (SELECT pg_notify(\(LoginNotifications.jobsChannel), '') FROM job
                                          WHERE \(debouncer.shouldNotify())) AS n) AS notified
            """
        let rows = try await LoginQueueError.database(scopedLogger(logger, loginID: loginID), "enqueue") {
            try await enqueues.query(statement)
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
