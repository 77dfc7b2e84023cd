import Base64Coding
import Foundation
import Logging
import Postgres

extension APILoginJobs {
    /// Enqueues the tokens a native app got from the provider's SDK (`POST /auth/kakao/token`)
    /// as a job of kind `kakao_token`, read with the poll token of the answer. There is no code
    /// to exchange: the job starts at stage `profile` with the tokens sealed in its checkpoint
    /// column, and the worker checks they were issued to this app before it trusts them
    /// (``LoginProvider/profile(ofAppTokens:nonce:)``).
    ///
    /// The same access token posted again is the same login: the job is found by the token's
    /// HMAC (as a code's), and its poll token is derived from the access token (an HMAC under
    /// the same sealing key, another purpose), so the re-post answers the same `login_id` and
    /// `poll_token` while nothing but their hashes is stored. Holding the Kakao token already
    /// lets anyone post it; the derived poll token gives nobody more than that.
    /// - Parameters:
    ///   - provider: one that ``LoginProvider/acceptsAppTokens``.
    ///   - nonce: the nonce the app gave the SDK; the id_token must carry it.
    ///   - logger: as for ``enqueue(code:redirectURI:reader:provider:loginID:logger:)``.
    /// - Throws: ``LoginQueueError``: `invalid_provider_token` (checked before anything is
    ///   sent or written), `database_unavailable`.
    public func enqueue(
        appTokens tokens: ProviderTokens,
        nonce: String?,
        provider: ConfiguredProvider,
        loginID: UUID = UUID(),
        logger: Logger? = nil
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        guard CodeFormat.isValidAccessToken(tokens.accessToken), tokens.idToken.map(CodeFormat.isValidIDToken) ?? true,
            nonce.map(CodeFormat.isValidNonce) ?? true, tokens.refreshToken == nil
        else { throw LoginQueueError(.invalidProviderToken) }
        guard provider.provider.acceptsAppTokens else { throw LoginQueueError(.internalError) }
        let fingerprints = sealing.fingerprints(of: tokens.accessToken, purpose: .appToken)
        let pollTokens = sealing.fingerprints(of: tokens.accessToken, purpose: .appTokenReader).map(Base64URL.encode)
        let sealedTokens = try LoginQueueError.sealing { try LoginJobsTable.seal(tokens, loginID: loginID, with: sealing) }
        let logger = scopedLogger(logger, loginID: loginID)
        let rows = try await LoginQueueError.database(logger, "enqueue") {
            try await pool.query(
                """
                WITH job AS (
                    INSERT INTO login_jobs
                        (login_id, kind, provider, stage, binding_hash, code_hmac, kakao_token_sealed, nonce, deadline_at, trace_context)
                    SELECT \(loginID), 'kakao_token', \(provider.name), 'profile', \(SecretToken.sha256(pollTokens[0])), \(fingerprints[0]),
                           \(sealedTokens), \(nonce), now() + make_interval(secs => \(configuration.jobDeadline.seconds)),
                           \(JobTraceContext.current())::text
                    WHERE NOT EXISTS \(LoginJobsTable.jobsWithCode(fingerprints, columns: "1"))
                    ON CONFLICT (code_hmac) DO NOTHING
                    RETURNING login_id
                )
                SELECT (SELECT login_id FROM job) AS login_id,
                       (SELECT count(*) FROM (SELECT pg_notify(\(LoginNotifications.jobsChannel), '') FROM job
                                              WHERE \(debouncer.shouldNotify())) AS n) AS notified
                """
            )
        }
        if let inserted = try? rows.first?.decode(UUID?.self, "login_id") {
            return EnqueuedLogin(loginID: inserted, pollToken: pollTokens[0], isNew: true)
        }
        return try await repostedAppToken(fingerprints: fingerprints, pollTokens: pollTokens, logger: logger)
    }

    /// The login of an access token posted before, with the poll token derived under the same
    /// sealing key as its stored HMAC.
    private func repostedAppToken(
        fingerprints: [[UInt8]],
        pollTokens: [String],
        logger: Logger
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        let jobs = LoginJobsTable.jobsWithCode(fingerprints, columns: "login_id, code_hmac, binding_hash")
        let rows = try await LoginQueueError.database(logger, "enqueue") {
            try await pool.query("SELECT login_id, code_hmac, binding_hash FROM \(jobs) AS j LIMIT 1")
        }
        guard let row = rows.first,
            let loginID = try? row.decode(UUID.self, "login_id"),
            let hmac = try? row.decode([UInt8].self, "code_hmac"),
            let binding = try? row.decode([UInt8]?.self, "binding_hash"),
            let index = fingerprints.firstIndex(of: hmac),
            binding == SecretToken.sha256(pollTokens[index])
        else {
            // Pruned between the two statements, or not a token login: nothing to answer with.
            logger.warning("login.app_token_repost_unmatched")
            throw LoginQueueError(.codeAlreadySubmitted)
        }
        return EnqueuedLogin(loginID: loginID, pollToken: pollTokens[index], isNew: false)
    }
}
