import Accounts
import Foundation
import Postgres

extension APILoginJobs {
    /// A read of a login: a row of ``readStatement(sessions:deliveryWindow:)``.
    struct LoginRead: Sendable {
        let loginID: UUID
        /// `login_jobs.binding_hash` of the reader (``ReaderToken/digest``).
        let binding: [UInt8]
        /// The session a first read of a succeeded login creates, and its refresh token sealed
        /// for re-delivery.
        let pending: PendingSession
        let sealedRefreshToken: [UInt8]
    }

    /// A read alone: it reads the job with its user and, when the job is succeeded and
    /// undelivered, locks it, creates the session and marks the delivery (read-only, and no
    /// transaction id, otherwise). A login whose identity the provider unlinked since it began
    /// gets no session: it fails with `provider_unlinked` (`overtaken`).
    static func readAlone(_ read: LoginRead, deliveryWindow: Duration) -> SQLQuery {
        let undelivered = SQLTable("undelivered")
        let creation = read.pending.creation(
            userID: undelivered.column("user_id"),
            provider: undelivered.column("provider"),
            loginJobID: undelivered.column("id"),
            when: undelivered,
            session: SQLTable("session"),
            refreshToken: SQLTable("refresh_token")
        )
        return """
            WITH unread AS (
                SELECT id, user_id, provider, created_at, identity_id FROM login_jobs j
                WHERE login_id = \(read.loginID) AND binding_hash = \(read.binding) AND \(undeliveredJob)
                FOR UPDATE
            ), identity_live AS (
                -- the login's identity, unless the provider unlinked it since the login began; the
                -- row lock orders this read with the unlink callback, which updates the same row
                SELECT i.id FROM user_identities i JOIN unread u ON i.id = u.identity_id
                WHERE \(identityLive)
                FOR SHARE OF i
            ), \(undelivered) AS (
                SELECT id, user_id, provider FROM unread
                WHERE identity_id IS NULL OR EXISTS (SELECT 1 FROM identity_live)
            ), overtaken AS (
                UPDATE login_jobs j SET state = 'failed', failure_code = \(LoginFailureCode.providerUnlinked.rawValue)
                FROM unread u
                WHERE j.id = u.id AND u.identity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM identity_live)
                  AND \(AuditContext.requestTag)
                RETURNING j.id
            ), \(creation.expressions), delivered AS (
                UPDATE login_jobs j SET session_id = \(creation.sessionID), delivered_at = now(), refresh_token_sealed = \(read.sealedRefreshToken)
                FROM \(undelivered), \(creation.created) WHERE j.id = \(undelivered).id
            )
            SELECT \(answerColumns(deliveryWindow: deliveryWindow)),
                   (SELECT \(creation.sessionID) FROM \(creation.created)) AS minted_session,
                   EXISTS (SELECT 1 FROM overtaken) AS overtaken, false AS alone_needed
            FROM login_jobs j LEFT JOIN users u ON u.id = j.user_id
            WHERE j.login_id = \(read.loginID) AND j.binding_hash = \(read.binding)
            """
    }

    /// A read alone, or the reads of a batch as one statement: each login found by its id and
    /// its reader's binding, and those succeeded and undelivered locked (in id order) and
    /// delivered at once, each with its own session (``Sessions/creationEach(_:session:refreshToken:)``).
    /// Each answers what it would alone, with two exceptions that then go alone: a login read
    /// twice in the batch is delivered to its first reader, and the other finds it delivered
    /// (as when two reads meet alone, it reads again); a login whose identity the provider
    /// unlinked since it began is written nothing and answers `alone_needed`, so that its
    /// failure is recorded by its own statement, with its own request's audit tag.
    static func readStatement(sessions: Sessions, deliveryWindow: Duration) -> SetStatement<LoginRead> {
        SetStatement(
            "api_login_read",
            alone: { readAlone($0, deliveryWindow: deliveryWindow) },
            together: { reads in
                let undelivered = SQLTable("undelivered")
                let session = SQLTable("session")
                let refreshToken = SQLTable("refresh_token")
                return """
                    WITH input AS (
                        SELECT * FROM unnest(
                            \(reads.map(\.loginID)), \(reads.map(\.binding)), \(reads.map(\.sealedRefreshToken)),
                            \(reads.map(\.pending.tokenHash)), \(reads.map(\.pending.device.userAgentFamily)),
                            \(reads.map(\.pending.device.clientNetwork))
                        ) WITH ORDINALITY AS r(login_id, binding_hash, refresh_token_sealed, token_hash, user_agent_family,
                                               client_network, n)
                    ), unread AS (
                        SELECT j.id, j.user_id, j.provider, j.created_at, j.identity_id, r.n
                        FROM login_jobs j
                            JOIN (SELECT DISTINCT ON (login_id, binding_hash) login_id, binding_hash, n FROM input
                                  ORDER BY login_id, binding_hash, n) r
                            ON j.login_id = r.login_id AND j.binding_hash = r.binding_hash
                        WHERE \(undeliveredJob)
                        ORDER BY j.id
                        FOR UPDATE OF j
                    ), identity_live AS (
                        SELECT u.n FROM user_identities i JOIN unread u ON i.id = u.identity_id
                        WHERE \(identityLive)
                        ORDER BY i.id
                        FOR SHARE OF i
                    ), \(undelivered) AS (
                        SELECT u.id AS login_job_id, u.user_id, u.provider, r.token_hash, r.user_agent_family, r.client_network,
                               r.refresh_token_sealed, u.n
                        FROM unread u JOIN input r ON r.n = u.n
                        WHERE u.identity_id IS NULL OR u.n IN (SELECT n FROM identity_live)
                    ), \(sessions.creationEach(undelivered, session: session, refreshToken: refreshToken)), delivered AS (
                        UPDATE login_jobs j SET session_id = s.id, delivered_at = now(), refresh_token_sealed = d.refresh_token_sealed
                        FROM \(undelivered) d JOIN \(session) s ON s.login_job_id = d.login_job_id
                            JOIN \(refreshToken) t ON t.session_id = s.id
                        WHERE j.id = d.login_job_id
                        RETURNING d.n, s.id AS session_id
                    )
                    SELECT r.n, \(answerColumns(deliveryWindow: deliveryWindow)),
                           m.session_id AS minted_session, false AS overtaken,
                           EXISTS (
                               SELECT 1 FROM unread x
                               WHERE x.n = r.n AND x.identity_id IS NOT NULL AND x.n NOT IN (SELECT n FROM identity_live)
                           ) AS alone_needed
                    FROM input r
                        JOIN login_jobs j ON j.login_id = r.login_id AND j.binding_hash = r.binding_hash
                        LEFT JOIN users u ON u.id = j.user_id
                        LEFT JOIN delivered m ON m.n = r.n
                    """
            }
        )
    }

    /// A job `j` that a first read delivers: succeeded, not yet delivered, and not a link.
    private static let undeliveredJob: SQLFragment = """
        j.state = 'succeeded' AND j.delivered_at IS NULL AND j.link_user_id IS NULL
        """

    /// The identity `i` of the login `u` is live: the provider has not unlinked it since the
    /// login began.
    private static let identityLive: SQLFragment = """
        NOT coalesce(i.unlinked_by = 'provider' AND i.unlinked_at >= u.created_at, false)
        """

    /// What every read answers of the job `j` (as the statement's snapshot saw it) and its user
    /// `u`.
    private static func answerColumns(deliveryWindow: Duration) -> SQLFragment {
        """
        j.state, j.failure_code, j.provider_error, j.required_scopes, j.user_id, j.is_new_user, j.session_id, j.refresh_token_sealed,
        j.delivered_at IS NOT NULL AS delivered, j.link_user_id IS NOT NULL AS linked,
        coalesce(j.delivered_at > now() - make_interval(secs => \(deliveryWindow.seconds)), false) AS in_window,
        \(UserRecord.columns(of: "u"))
        """
    }
}
