import Accounts
import Foundation
import Logging
import Postgres

/// The API's side of the queue: enqueue a posted code, read a login for its attempt, and
/// deliver its tokens once (then again within a short window).
///
/// Enqueue is one statement and one durable commit; the code is stored only sealed, bound to its
/// row, and deduplicated by an HMAC under a unique index.
public struct LoginJobs: Sendable {
    /// The channel workers listen on; the payload is empty.
    public static let jobsChannel = "login_jobs"
    /// The channel the API listens on; the payload is the `login_id`.
    public static let doneChannel = "login_done"

    let pool: PostgresPool
    let sealing: SealingKeys
    let provider: String
    let configuration: LoginQueueConfiguration
    let sessions: Sessions
    let logger: Logger
    private let debouncer: NotifyDebouncer

    /// - Parameter notifyWindow: at most one worker wake-up per window from this process.
    public init(
        pool: PostgresPool,
        sealing: SealingKeys,
        provider: String,
        configuration: LoginQueueConfiguration,
        sessions: Sessions,
        notifyWindow: Duration = .milliseconds(5),
        logger: Logger
    ) {
        self.pool = pool
        self.sealing = sealing
        self.provider = provider
        self.configuration = configuration
        self.sessions = sessions
        self.logger = logger
        self.debouncer = NotifyDebouncer(window: notifyWindow)
    }

    // MARK: - enqueue

    /// Enqueues a code posted with the attempt bound to `attemptToken`.
    /// - Parameter loginID: the new login's public id (the caller may need to know it before
    ///   the job is committed); a re-post of the same code answers the earlier login's id instead.
    /// - Parameter logger: the caller's logger (an HTTP request's, with its `request.id`); `nil`
    ///   uses this type's. Its lines get `login.id`.
    /// - Throws: ``LoginQueueError``: `invalid_code`, `invalid_state`, `attempt_not_found`,
    ///   `attempt_expired`, `attempt_already_used`, `redirect_uri_not_allowed`,
    ///   `code_already_submitted`, `database_unavailable`.
    public func enqueue(
        code: String,
        state: String,
        redirectURI: String?,
        attemptToken: ReaderToken,
        loginID: UUID = UUID(),
        logger: Logger? = nil
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        guard CodeFormat.isValidCode(code) else { throw LoginQueueError(.invalidCode) }
        guard CodeFormat.isValidState(state) else { throw LoginQueueError(.invalidState) }
        guard CodeFormat.isValidToken(attemptToken.text) else { throw LoginQueueError(.attemptNotFound) }
        if let redirectURI, !configuration.redirectURIs.contains(where: { $0.utf8.elementsEqual(redirectURI.utf8) }) {
            throw LoginQueueError(.redirectURINotAllowed)
        }
        let binding = attemptToken.digest
        let fingerprints = sealing.fingerprints(of: code, purpose: "code")
        let sealedCode = try LoginQueueError.sealing { try sealing.seal(code, for: Self.codeContext(loginID)) }
        let deadline = configuration.jobDeadline.seconds
        let notify = debouncer.shouldNotify()

        let insertLogger = scopedLogger(logger, loginID: loginID)
        let rows = try await LoginQueueError.database(insertLogger, "enqueue") {
            try await pool.query(
                """
                WITH attempt AS (
                    SELECT id, provider, pkce_verifier_sealed, nonce, redirect_uri FROM login_attempts
                    WHERE binding_hash = \(binding) AND state_hash = \(SecretToken.sha256(state))
                      AND used_at IS NULL AND expires_at > now()
                      AND (\(redirectURI)::text IS NULL OR redirect_uri = \(redirectURI)::text)
                      AND NOT EXISTS \(Self.jobsWithCode(fingerprints, columns: "1"))
                    FOR UPDATE
                ), used AS (
                    UPDATE login_attempts a SET used_at = now(), pkce_verifier_sealed = NULL
                    FROM attempt WHERE a.id = attempt.id
                    RETURNING a.id
                ), job AS (
                    INSERT INTO login_jobs
                        (login_id, provider, attempt_id, redirect_uri, nonce, binding_hash, code_hmac, code_sealed,
                         pkce_verifier_sealed, deadline_at)
                    SELECT \(loginID), provider, id, redirect_uri, nonce, \(binding), \(fingerprints[0]), \(sealedCode),
                           pkce_verifier_sealed, now() + make_interval(secs => \(deadline))
                    FROM attempt
                    ON CONFLICT (code_hmac) DO NOTHING
                    RETURNING login_id
                )
                SELECT (SELECT login_id FROM job) AS login_id,
                       (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') FROM job WHERE \(notify)) AS n) AS notified
                """
            )
        }
        if let inserted = Self.insertedLoginID(rows) {
            return EnqueuedLogin(loginID: inserted, pollToken: nil, isNew: true)
        }
        return try await explainRefusedEnqueue(
            binding: binding,
            stateHash: SecretToken.sha256(state),
            fingerprints: fingerprints,
            redirectURI: redirectURI,
            logger: scopedLogger(logger, loginID: nil)
        )
    }

    /// Enqueues a code without an attempt (`LOGIN_REQUIRE_STATE=false`, the seed's code-only
    /// flow): the redirect URI must be in the allow-list, and the answer carries a poll token
    /// that every read must present. `logger` as for ``enqueue(code:state:redirectURI:attemptToken:loginID:logger:)``.
    public func enqueueWithoutState(
        code: String,
        redirectURI: String?,
        logger: Logger? = nil
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        guard CodeFormat.isValidCode(code) else { throw LoginQueueError(.invalidCode) }
        guard let redirect = redirectURI ?? configuration.redirectURIs.first,
            configuration.redirectURIs.contains(where: { $0.utf8.elementsEqual(redirect.utf8) })
        else { throw LoginQueueError(.redirectURINotAllowed) }
        let pollToken = SecretToken.random()
        let loginID = UUID()
        let logger = scopedLogger(logger, loginID: loginID)
        let fingerprints = sealing.fingerprints(of: code, purpose: "code")
        let sealedCode = try LoginQueueError.sealing { try sealing.seal(code, for: Self.codeContext(loginID)) }
        let deadline = configuration.jobDeadline.seconds
        let notify = debouncer.shouldNotify()
        let rows = try await LoginQueueError.database(logger, "enqueue") {
            try await pool.query(
                """
                WITH job AS (
                    INSERT INTO login_jobs (login_id, provider, redirect_uri, binding_hash, code_hmac, code_sealed, deadline_at)
                    SELECT \(loginID), \(provider), \(redirect), \(SecretToken.sha256(pollToken)), \(fingerprints[0]), \(sealedCode),
                           now() + make_interval(secs => \(deadline))
                    WHERE NOT EXISTS \(Self.jobsWithCode(fingerprints, columns: "1"))
                    ON CONFLICT (code_hmac) DO NOTHING
                    RETURNING login_id
                )
                SELECT (SELECT login_id FROM job) AS login_id,
                       (SELECT count(*) FROM (SELECT pg_notify(\(Self.jobsChannel), '') FROM job WHERE \(notify)) AS n) AS notified
                """
            )
        }
        guard let inserted = Self.insertedLoginID(rows) else {
            throw LoginQueueError(.codeAlreadySubmitted)
        }
        return EnqueuedLogin(loginID: inserted, pollToken: pollToken, isNew: true)
    }

    /// Says why an enqueue inserted nothing — or finds the job of an identical earlier post.
    private func explainRefusedEnqueue(
        binding: [UInt8],
        stateHash: [UInt8],
        fingerprints: [[UInt8]],
        redirectURI: String?,
        logger: Logger
    ) async throws(LoginQueueError) -> EnqueuedLogin {
        let rows = try await LoginQueueError.database(logger, "enqueue") {
            try await pool.query(
                """
                SELECT (SELECT login_id FROM \(Self.jobsWithCode(fingerprints, columns: "login_id, binding_hash")) AS j
                        WHERE j.binding_hash = \(binding) LIMIT 1) AS same_login,
                       EXISTS \(Self.jobsWithCode(fingerprints, columns: "1")) AS code_known,
                       a.id IS NOT NULL AS attempt_found,
                       coalesce(a.state_hash = \(stateHash), false) AS state_matches,
                       coalesce(\(redirectURI)::text IS NULL OR a.redirect_uri = \(redirectURI)::text, false) AS redirect_matches,
                       coalesce(a.expires_at <= now(), false) AS expired,
                       coalesce(a.used_at IS NOT NULL, false) AS used
                FROM (SELECT 1) AS one LEFT JOIN login_attempts a ON a.binding_hash = \(binding)
                """
            )
        }
        do {
            let row = try rows.single()
            if let same = try row.decode(UUID?.self, "same_login") {
                return EnqueuedLogin(loginID: same, pollToken: nil, isNew: false)
            }
            if try row.decode(Bool.self, "code_known") { throw LoginQueueError(.codeAlreadySubmitted) }
            guard try row.decode(Bool.self, "attempt_found") else { throw LoginQueueError(.attemptNotFound) }
            guard try row.decode(Bool.self, "state_matches") else { throw LoginQueueError(.invalidState) }
            guard try row.decode(Bool.self, "redirect_matches") else { throw LoginQueueError(.redirectURINotAllowed) }
            if try row.decode(Bool.self, "expired") { throw LoginQueueError(.attemptExpired) }
            if try row.decode(Bool.self, "used") { throw LoginQueueError(.attemptAlreadyUsed) }
            // A concurrent post of the same code won the race between our check and insert.
            throw LoginQueueError(.codeAlreadySubmitted)
        } catch let error as LoginQueueError {
            throw error
        } catch {
            logger.error("login.enqueue_unexplained", metadata: ["db.error": "\(error)"])
            throw LoginQueueError(.internalError)
        }
    }

    // MARK: - read and deliver

    /// Reads a login for the reader that started it: the attempt token (cookie or
    /// `X-Login-Attempt`) or, in the stateless flow, the poll token. `nil` when the id is unknown
    /// or the reader is not its own (the two are indistinguishable to the caller).
    ///
    /// The first read of a succeeded login mints a session and its refresh token; reads within
    /// the delivery window get them again; later reads the status. One statement: it reads the
    /// job with its user and, when the job is succeeded and undelivered, locks it, creates the
    /// session and marks the delivery (read-only, and no transaction id, otherwise). Two first
    /// reads at once mint one session: the second waits for the first's row lock, finds the
    /// login delivered, and reads again.
    /// `logger` as for ``enqueue(code:state:redirectURI:attemptToken:loginID:logger:)``.
    public func read(loginID: UUID, readerToken: ReaderToken, logger: Logger? = nil) async throws(LoginQueueError) -> LoginStatus? {
        guard CodeFormat.isValidToken(readerToken.text) else { return nil }
        let logger = scopedLogger(logger, loginID: loginID)
        let binding = readerToken.digest
        let token = SessionToken()
        let sealedToken = try LoginQueueError.sealing { try sealing.seal(token.refreshToken, for: Self.refreshTokenContext(loginID)) }
        let session = sessions.creationExpressions(
            token,
            userID: "undelivered.user_id",
            provider: provider,
            loginJobID: "undelivered.id",
            for: "undelivered"
        )
        let rows = try await LoginQueueError.database(logger, "read") {
            try await pool.query(
                """
                WITH undelivered AS (
                    SELECT id, user_id FROM login_jobs
                    WHERE login_id = \(loginID) AND binding_hash = \(binding) AND state = 'succeeded' AND delivered_at IS NULL
                    FOR UPDATE
                ), \(session), delivered AS (
                    UPDATE login_jobs j SET session_id = refresh_token.session_id, delivered_at = now(), refresh_token_sealed = \(sealedToken)
                    FROM undelivered, refresh_token WHERE j.id = undelivered.id
                )
                SELECT j.state, j.failure_code, j.provider_error, j.user_id, j.is_new_user, j.session_id, j.refresh_token_sealed,
                       j.delivered_at IS NOT NULL AS delivered,
                       coalesce(j.delivered_at > now() - make_interval(secs => \(configuration.deliveryWindow.seconds)), false) AS in_window,
                       (SELECT session_id FROM refresh_token) AS minted_session,
                       \(UserRecord.columns(of: "u"))
                FROM login_jobs j LEFT JOIN users u ON u.id = j.user_id
                WHERE j.login_id = \(loginID) AND j.binding_hash = \(binding)
                """
            )
        }
        guard let row = rows.first else { return nil }
        do {
            switch try row.decode(String.self, "state") {
            case "queued", "running":
                return .pending
            case "failed":
                let code = LoginFailureCode(rawValue: try row.decode(String.self, "failure_code")) ?? .internalError
                return .failed(code: code, providerError: try row.decode(String?.self, "provider_error"))
            default:
                let delivery: TokenDelivery?
                if let minted = try row.decode(UUID?.self, "minted_session") {
                    delivery = TokenDelivery(sessionID: minted, refreshToken: token.refreshToken, isFirstDelivery: true)
                } else if !(try row.decode(Bool.self, "delivered")) {
                    // Another first read delivered it between this statement's snapshot and its lock.
                    return try await read(loginID: loginID, readerToken: readerToken, logger: logger)
                } else if try row.decode(Bool.self, "in_window"), let sealed = try row.decode([UInt8]?.self, "refresh_token_sealed") {
                    delivery = TokenDelivery(
                        sessionID: try row.decode(UUID.self, "session_id"),
                        refreshToken: try sealing.openString(sealed, for: Self.refreshTokenContext(loginID)),
                        isFirstDelivery: false
                    )
                } else {
                    delivery = nil
                }
                let user = row.isNull("id") ? nil : try UserRecord(row: row)
                return .succeeded(
                    LoginSuccess(
                        userID: try row.decode(UUID.self, "user_id"),
                        isNewUser: try row.decode(Bool.self, "is_new_user"),
                        user: user,
                        delivery: delivery
                    )
                )
            }
        } catch let error as LoginQueueError {
            throw error
        } catch let error as PostgresError {
            logger.warning("login.database_error", metadata: ["login.operation": "read", "db.error": "\(error)"])
            throw LoginQueueError(error.isUnavailable ? .databaseUnavailable : .internalError)
        } catch {
            logger.error("login.read_failed", metadata: ["error": "\(error)"])
            throw LoginQueueError(.internalError)
        }
    }

    // MARK: - backpressure

    /// How many jobs are queued, counting at most `limit + 1` (a flood costs a bounded scan).
    public func queuedDepth(limit: Int) async throws(LoginQueueError) -> Int {
        let rows = try await LoginQueueError.database(logger, "queue_depth") {
            try await pool.query(
                "SELECT count(*) AS depth FROM (SELECT 1 FROM login_jobs WHERE state = 'queued' LIMIT \(limit + 1)) AS q"
            )
        }
        return (try? rows.first?.decode(Int.self, "depth")) ?? 0
    }

    /// The caller's logger, else this type's, with the login's id on every line.
    private func scopedLogger(_ callerLogger: Logger?, loginID: UUID?) -> Logger {
        var logger = callerLogger ?? self.logger
        if let loginID { logger[metadataKey: "login.id"] = "\(loginID.uuidString.lowercased())" }
        return logger
    }

    /// The `login_id` an enqueue statement inserted, if it inserted one.
    private static func insertedLoginID(_ rows: PostgresRows) -> UUID? {
        guard let row = rows.first, let value = try? row.decode(UUID?.self, "login_id") else { return nil }
        return value
    }

    // MARK: - sealing contexts

    static func codeContext(_ loginID: UUID) -> SealingContext {
        SealingContext(table: "login_jobs", column: "code", rowKey: loginID.uuidString.lowercased())
    }

    static func refreshTokenContext(_ loginID: UUID) -> SealingContext {
        SealingContext(table: "login_jobs", column: "refresh_token", rowKey: loginID.uuidString.lowercased())
    }

    static func providerTokensContext(_ loginID: UUID) -> SealingContext {
        SealingContext(table: "login_jobs", column: "kakao_token", rowKey: loginID.uuidString.lowercased())
    }
}
