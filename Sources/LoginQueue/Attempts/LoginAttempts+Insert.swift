import Foundation
import Postgres

extension LoginAttempts {
    /// An attempt to write: a row of ``insertStatement(lifetime:cap:)``. Only hashes and sealed
    /// values.
    struct NewAttempt: Sendable {
        let id: UUID
        let provider: String
        let stateHash: [UInt8]
        let bindingHash: [UInt8]
        let sealedVerifier: [UInt8]
        let nonce: String
        let redirectURI: String
        /// `inet` text, or nil for no cap.
        let clientKey: String?
        let linkUserID: UUID?
    }

    /// An attempt's insert alone, or the inserts of a batch as one statement: each attempt is
    /// written unless its client (`clientKey`) already has `cap` attempts pending, counting
    /// those of the batch before it, so each is admitted or refused as it would be alone, one
    /// after the other. Answers one row for each attempt written.
    static func insertStatement(lifetime: Duration, cap: Int) -> SetStatement<NewAttempt> {
        SetStatement(
            "login_attempt_insert",
            alone: { attempt in
                """
                \(attemptInsert)
                SELECT \(attempt.id), \(attempt.provider), \(attempt.stateHash), \(attempt.bindingHash), \(attempt.sealedVerifier),
                       \(attempt.nonce), \(attempt.redirectURI), \(attempt.clientKey)::inet,
                       now() + make_interval(secs => \(lifetime.seconds)), \(attempt.linkUserID)
                WHERE \(attempt.clientKey)::inet IS NULL
                   OR (SELECT count(*) FROM login_attempts
                       WHERE client_ip = \(attempt.clientKey)::inet AND used_at IS NULL AND expires_at > now()) < \(cap)
                """
            },
            together: { attempts in
                """
                WITH input AS (
                    SELECT * FROM unnest(
                        \(attempts.map(\.id)), \(attempts.map(\.provider)), \(attempts.map(\.stateHash)), \(attempts.map(\.bindingHash)),
                        \(attempts.map(\.sealedVerifier)), \(attempts.map(\.nonce)), \(attempts.map(\.redirectURI)),
                        \(attempts.map(\.clientKey)), \(attempts.map(\.linkUserID))
                    ) WITH ORDINALITY AS a(id, provider, state_hash, binding_hash, pkce_verifier_sealed, nonce, redirect_uri,
                                           client_key, link_user_id, n)
                ), inserted AS (
                    \(attemptInsert)
                    SELECT a.id, a.provider, a.state_hash, a.binding_hash, a.pkce_verifier_sealed, a.nonce, a.redirect_uri,
                           a.client_key::inet, now() + make_interval(secs => \(lifetime.seconds)), a.link_user_id
                    FROM input a
                    WHERE a.client_key IS NULL
                       OR (SELECT count(*) FROM login_attempts
                           WHERE client_ip = a.client_key::inet AND used_at IS NULL AND expires_at > now())
                          + (SELECT count(*) FROM input b WHERE b.client_key::inet = a.client_key::inet AND b.n < a.n) < \(cap)
                    RETURNING id
                )
                SELECT a.n FROM inserted i JOIN input a ON a.id = i.id
                """
            }
        )
    }

    private static let attemptInsert: SQLFragment = """
        INSERT INTO login_attempts
            (id, provider, state_hash, binding_hash, pkce_verifier_sealed, nonce, redirect_uri, client_ip, expires_at, link_user_id)
        """
}
