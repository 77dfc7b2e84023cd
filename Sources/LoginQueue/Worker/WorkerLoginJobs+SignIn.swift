import Accounts
import Postgres

extension WorkerLoginJobs {
    /// A login that succeeded, not a link: a row of ``signInStatement``.
    struct SignIn: Sendable {
        let fence: JobFence
        let profile: ProviderProfile
        let sealedProviderToken: [UInt8]?
        /// Its statement alone (``successStatement(_:profile:linkingTo:sealedProviderToken:)``).
        let alone: SQLQuery
    }

    /// The sign-ins of a batch as one statement: each job locked (fenced as alone), the accounts
    /// of all of them upserted at once (``UserAccounts/upsertEach(_:identity:account:)``), each
    /// job finished `succeeded`, or `failed` with `provider_unlinked` when the provider's unlink
    /// overtook it, and NOTIFYs for all. A job that is no longer this worker's writes nothing and
    /// answers no row, as alone; two sign-ins of one identity or one user in a batch make the
    /// statement fail, and each is then written alone.
    static func signInStatement(workerID: String, accounts: UserAccounts) -> SetStatement<SignIn> {
        SetStatement(
            "worker_sign_in",
            alone: { $0.alone },
            together: { signIns in
                let held = SQLTable("held")
                let identity = SQLTable("identity")
                let account = SQLTable("account")
                return """
                    WITH input AS (
                        SELECT * FROM unnest(
                            \(signIns.map(\.fence.id)), \(signIns.map(\.fence.attempt)), \(signIns.map(\.profile.provider)),
                            \(signIns.map(\.profile.subject)), \(signIns.map(\.profile.nickname)), \(signIns.map(\.profile.profileImageURL)),
                            \(signIns.map(\.profile.thumbnailImageURL)), \(signIns.map(\.profile.email)), \(signIns.map(\.profile.emailVerified)),
                            \(signIns.map(\.sealedProviderToken)),
                            -- scope ids are [a-z0-9_]: a space separates them
                            \(signIns.map { $0.profile.consentScopes?.joined(separator: " ") })
                        ) WITH ORDINALITY AS c(id, attempt, provider, subject, nickname, profile_image_url, thumbnail_image_url,
                                               email, email_verified, provider_token_sealed, consent_scopes, n)
                    ), \(held) AS (
                        SELECT j.id, j.created_at AS unlinked_since, c.n, c.provider, c.subject, c.nickname, c.profile_image_url,
                               c.thumbnail_image_url, c.email, c.email_verified, c.provider_token_sealed,
                               string_to_array(c.consent_scopes, ' ') AS consent_scopes
                        FROM login_jobs j JOIN input c ON \(fenced(id: "j.id = c.id", attempt: "j.attempt = c.attempt", workerID: workerID))
                        ORDER BY j.id
                        FOR UPDATE OF j
                    ), \(accounts.upsertEach(held, identity: identity, account: account)), done AS (
                        UPDATE login_jobs j
                        SET state = 'succeeded', stage = 'done', user_id = a.id, is_new_user = a.inserted, identity_id = w.id,
                            \(endingColumns)
                        FROM \(held) h
                            JOIN \(identity) w ON w.provider = h.provider AND w.subject = h.subject
                            JOIN \(account) a ON a.id = w.user_id
                        WHERE j.id = h.id
                        RETURNING j.login_id, h.n
                    ), refused AS (
                        UPDATE login_jobs j
                        SET state = 'failed', failure_code = \(LoginFailureCode.providerUnlinked.rawValue), provider_error = NULL,
                            \(endingColumns)
                        FROM \(held) h
                        WHERE j.id = h.id AND NOT EXISTS (SELECT 1 FROM \(identity) w WHERE w.provider = h.provider AND w.subject = h.subject)
                        RETURNING j.login_id, j.failure_code, h.n
                    )
                    \(endedJobs(leading: "n, "))
                    """
            }
        )
    }
}
