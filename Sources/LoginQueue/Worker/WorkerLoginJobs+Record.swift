import Accounts
import Foundation
import Postgres

extension WorkerLoginJobs {
    /// What a write did.
    enum Recorded: Sendable {
        /// The outcome as asked.
        case written
        /// The account write was refused (a link: `identity_already_linked`,
        /// `provider_already_linked`; any login: `provider_unlinked`): the job failed with that
        /// code instead, and nothing else was written.
        case refused(LoginFailureCode)
        /// The job is no longer this worker's: nothing was written.
        case lost
    }

    /// Writes an outcome. Success signs the user up or in (or links the identity) and finishes the
    /// job in one durable statement; every outcome that ends the job NOTIFYs the API. The
    /// statement is group-committed with the other outcomes ready at the same time (``completions``).
    func record(_ outcome: JobOutcome, for fence: JobFence) async throws -> Recorded {
        switch outcome {
        case .succeeded(let profile, let linkUserID, let sealedProviderToken):
            let alone = try successStatement(fence, profile: profile, linkingTo: linkUserID, sealedProviderToken: sealedProviderToken)
            let rows =
                if linkUserID == nil {
                    // A sign-in: with the others of its batch, one statement (``signInStatement``).
                    try await completions.query(
                        SignIn(fence: fence, profile: profile, sealedProviderToken: sealedProviderToken, alone: alone),
                        signInStatement
                    )
                } else {
                    try await completions.query(alone)
                }
            guard let row = rows.first else { return .lost }
            guard let refusal = try row.decode(String?.self, "refusal") else { return .written }
            guard let code = LoginFailureCode(rawValue: refusal) else { throw UnreadableJob(column: "failure_code") }
            return .refused(code)

        case .accountErased(let code, let providerError, let error):
            return try await recordErased(fence, failure: code, providerError: providerError, error: error)
                ? .written : .lost

        case .retry(let delay, let error, let codeNeverSent):
            return try await completions.execute(
                """
                UPDATE login_jobs
                SET state = 'queued', run_at = now() + make_interval(secs => \(delay.seconds)),
                    lease_expires_at = NULL, locked_by = NULL, provider_error = \(error.providerError),
                    exchange_sent_at = CASE WHEN \(codeNeverSent) THEN NULL ELSE exchange_sent_at END,
                    errors = \(Self.appendingError(error))
                WHERE \(fenced(fence))
                """
            ) == 1 ? .written : .lost

        case .failed(let code, let providerError, let requiredScopes, let error, let codeNeverSent):
            let errors: SQLFragment = error.map(Self.appendingError) ?? "errors"
            let rows = try await completions.query(
                """
                WITH failed AS (
                    UPDATE login_jobs
                    SET state = 'failed', finished_at = now(), lease_expires_at = NULL, locked_by = NULL,
                        failure_code = \(code.rawValue), provider_error = \(providerError), required_scopes = \(requiredScopes),
                        exchange_sent_at = CASE WHEN \(codeNeverSent) THEN NULL ELSE exchange_sent_at END,
                        code_sealed = CASE WHEN \(codeNeverSent) THEN code_sealed END,
                        pkce_verifier_sealed = CASE WHEN \(codeNeverSent) THEN pkce_verifier_sealed END,
                        kakao_token_sealed = NULL,
                        errors = \(errors)
                    WHERE \(fenced(fence))
                    RETURNING login_id
                )
                SELECT login_id, pg_notify(\(LoginNotifications.doneChannel), login_id::text) FROM failed
                """
            )
            return rows.isEmpty ? .lost : .written

        case .released(let codeNeverSent):
            return try await completions.execute(
                """
                UPDATE login_jobs
                SET state = 'queued', run_at = now(), lease_expires_at = NULL, locked_by = NULL,
                    exchange_sent_at = CASE WHEN \(codeNeverSent) THEN NULL ELSE exchange_sent_at END
                WHERE \(fenced(fence))
                """
            ) == 1 ? .written : .lost
        }
    }

    /// Columns a success and an account refusal set, alone or in a batch: finished now, unleased, its secrets dropped.
    static let endingColumns: SQLFragment = """
        finished_at = now(), lease_expires_at = NULL, locked_by = NULL,
        code_sealed = NULL, pkce_verifier_sealed = NULL, kakao_token_sealed = NULL
        """

    /// A success alone: the job row locked first (fenced), then the identity and the user
    /// written, then the job finished, in one round trip. A job that is no longer ours writes
    /// nothing at all: the upsert only runs for a row of `held`. A link whose identity another
    /// user holds, or a login the provider's unlink overtook, writes no account: the job fails
    /// instead. Answers one row, whose `refusal` is NULL or the failure code; none when the job
    /// was lost.
    func successStatement(
        _ fence: JobFence,
        profile: ProviderProfile,
        linkingTo linkUserID: UUID?,
        sealedProviderToken: [UInt8]?
    ) throws -> SQLQuery {
        let held = SQLTable("held")
        let identity = SQLTable("identity")
        let upsert = try accounts.upsert(
            profile,
            when: held,
            linkingTo: linkUserID,
            unlinkedSince: held.column("created_at"),
            sealedProviderToken: sealedProviderToken,
            identity: identity,
            account: SQLTable("account"),
            refused: SQLTable("account_refused")
        )
        return """
            WITH \(held) AS (
                SELECT id, created_at FROM login_jobs WHERE \(fenced(fence)) FOR UPDATE
            ), \(upsert.expressions), done AS (
                UPDATE login_jobs j
                SET state = 'succeeded', stage = 'done', user_id = \(upsert.userID), is_new_user = \(upsert.isNewUser),
                    identity_id = (SELECT \(upsert.identityID) FROM \(identity)), \(Self.endingColumns)
                FROM \(held), \(upsert.account)
                WHERE j.id = \(held).id
                RETURNING j.login_id
            ), refused AS (
                UPDATE login_jobs j
                SET state = 'failed', failure_code = \(upsert.refusal), provider_error = NULL, \(Self.endingColumns)
                FROM \(held), \(upsert.refused)
                WHERE j.id = \(held).id
                RETURNING j.login_id, j.failure_code
            )
            \(Self.endedJobs())
            """
    }

    /// The closing SELECT of a success, alone or in a batch, over its `done` and `refused` CTEs
    /// (each returning `login_id`, and `failure_code` for `refused`): one row per finished job,
    /// its `refusal` (NULL for a success) beside the `login_done` NOTIFY that wakes the login's
    /// long-polls. `leading` comes first in each row (a batch's `n, `).
    static func endedJobs(leading: SQLFragment = "") -> SQLFragment {
        """
        SELECT \(leading)NULL AS refusal, pg_notify(\(LoginNotifications.doneChannel), login_id::text) FROM done
        UNION ALL
        SELECT \(leading)failure_code AS refusal, pg_notify(\(LoginNotifications.doneChannel), login_id::text) FROM refused
        """
    }
}
