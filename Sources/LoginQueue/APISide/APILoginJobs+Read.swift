import Accounts
import Foundation
import Logging
import Postgres

extension APILoginJobs {
    /// Reads a login for the reader that started it: the attempt token (cookie or
    /// `X-Login-Attempt`) or, in the stateless flow, the poll token. `nil` when the id is unknown
    /// or the reader is not its own (the two are indistinguishable to the caller).
    ///
    /// The first read of a succeeded login creates its session and delivers the tokens; reads
    /// within the delivery window get them again; later reads the status. A link delivers none. One statement: it reads
    /// the job with its user and, when the job is succeeded and undelivered, locks it, creates the
    /// session (``Sessions``) and marks the delivery (read-only, and no transaction id, otherwise);
    /// the reads that meet in a batch go as one statement (``readStatement(sessions:deliveryWindow:)``).
    /// Two first reads at once create one session: the second waits for the first's row lock,
    /// finds the login delivered, and reads again. A login whose identity the provider unlinked
    /// since it began (Kakao's unlink callback) gets no session: it fails with `provider_unlinked`.
    /// `device`: the client reading, recorded with the session it may create (`GET /me/sessions`).
    /// `logger` as for ``enqueue(code:redirectURI:reader:provider:loginID:logger:)``.
    public func read(
        loginID: UUID,
        readerToken: ReaderToken,
        device: SessionDevice = .unknown,
        logger: Logger? = nil
    ) async throws(LoginQueueError) -> LoginStatus? {
        guard CodeFormat.isValidToken(readerToken.text) else { return nil }
        let logger = scopedLogger(logger, loginID: loginID)
        let loginRead = try self.loginRead(loginID: loginID, readerToken: readerToken, device: device)
        let rows = try await LoginQueueError.database(logger, "read") {
            try await reads.query(loginRead, readStatement)
        }
        guard var row = rows.first else { return nil }
        do {
            if try row.decode(Bool.self, "alone_needed") {
                // The provider unlinked its identity meanwhile: its failure is its own statement's.
                let alone = Self.readAlone(loginRead, deliveryWindow: configuration.deliveryWindow)
                let rows = try await LoginQueueError.database(logger, "read") { try await pool.query(alone) }
                guard let aloneRow = rows.first else { return nil }
                row = aloneRow
            }
            if try row.decode(Bool.self, "overtaken") {
                // The provider unlinked the identity while the login ran: no session for it.
                logger.info("login.delivery_refused_unlinked")
                return .failed(code: .providerUnlinked, providerError: nil, requiredScopes: nil)
            }
            switch try row.decode(String.self, "state") {
            case "queued", "running":
                return .pending
            case "failed":
                guard let code = LoginFailureCode(rawValue: try row.decode(String.self, "failure_code")) else {
                    throw UnreadableJob(column: "failure_code")
                }
                return .failed(
                    code: code,
                    providerError: try row.decode(String?.self, "provider_error"),
                    requiredScopes: try row.decode([String]?.self, "required_scopes")
                )
            case "succeeded":
                let userID = try row.decode(UUID.self, "user_id")
                let linked = try row.decode(Bool.self, "linked")
                let delivery: TokenDelivery?
                if linked {
                    // A link: the signed-in user keeps their session; nothing to deliver.
                    delivery = nil
                } else if let minted = try row.decode(UUID?.self, "minted_session") {
                    let tokens = try await sessions.tokens(sessionID: minted, userID: userID, refreshToken: loginRead.pending.refreshToken)
                    delivery = TokenDelivery(tokens: tokens, isFirstDelivery: true)
                } else if !(try row.decode(Bool.self, "delivered")) {
                    // Another first read delivered it between this statement's snapshot and its lock.
                    return try await read(loginID: loginID, readerToken: readerToken, logger: logger)
                } else if try row.decode(Bool.self, "in_window"), let sealed = try row.decode([UInt8]?.self, "refresh_token_sealed") {
                    let refreshToken = try sealing.openString(sealed, for: LoginJobsTable.refreshTokenContext(loginID))
                    let sessionID = try row.decode(UUID.self, "session_id")
                    let tokens = try await sessions.tokens(sessionID: sessionID, userID: userID, refreshToken: refreshToken)
                    delivery = TokenDelivery(tokens: tokens, isFirstDelivery: false)
                } else {
                    delivery = nil
                }
                return .succeeded(
                    LoginSuccess(
                        userID: userID,
                        isNewUser: try row.decode(Bool.self, "is_new_user"),
                        linked: linked,
                        user: row.isNull("id") ? nil : try UserRecord(row: row),
                        delivery: delivery
                    )
                )
            default:
                throw UnreadableJob(column: "state")
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

    /// The read of `loginID` by `readerToken`, with the session a first read of a succeeded
    /// login creates for `device` (its refresh token minted and sealed for re-delivery).
    func loginRead(loginID: UUID, readerToken: ReaderToken, device: SessionDevice) throws(LoginQueueError) -> LoginRead {
        let pending = sessions.prepare(device: device)
        let sealedToken = try LoginQueueError.sealing {
            try sealing.seal(pending.refreshToken, for: LoginJobsTable.refreshTokenContext(loginID))
        }
        return LoginRead(loginID: loginID, binding: readerToken.digest, pending: pending, sealedRefreshToken: sealedToken)
    }
}
