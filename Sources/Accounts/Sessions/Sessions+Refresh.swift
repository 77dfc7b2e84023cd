import Foundation
import Logging
import Postgres

extension Sessions {
    /// Rotates a refresh token: the presented token is marked rotated and its child becomes
    /// the family's current token, issued with a new access token.
    ///
    /// - A token rotated less than ``SessionConfiguration/reuseGrace`` ago gets the same child
    ///   again (re-derived from the token, never stored in plaintext).
    /// - A token rotated earlier is a reuse: the whole family is revoked
    ///   (`revoked_reason = 'refresh_token_reuse'`), committed, and then
    ///   ``AccountsError/Code/refreshTokenReused`` is thrown. Every token of the family, the
    ///   newest included, is refused from then on.
    ///
    /// - Throws: ``AccountsError/Code/invalidRefreshToken`` for a malformed token (without a
    ///   database round trip) or an unknown one; ``AccountsError/Code/sessionRevoked``;
    ///   ``AccountsError/Code/sessionExpired`` once the family is older than its lifetime;
    ///   ``AccountsError/Code/refreshTokenReused``. Only the reuse writes anything.
    public func refresh(_ refreshToken: String) async throws -> IssuedTokens {
        guard let presented = RefreshToken(presented: refreshToken) else { throw AccountsError(.invalidRefreshToken) }
        let child = presented.child(derivationKey: configuration.derivationKey)
        let outcome: Result<TokenFamily, AccountsError> = try await pool.withTransaction { connection in
            guard let family = try await TokenFamily.lock(owning: presented, on: connection) else {
                return .failure(AccountsError(.invalidRefreshToken))
            }
            if family.isRevoked { return .failure(AccountsError(.sessionRevoked)) }
            if family.isExpired { return .failure(AccountsError(.sessionExpired)) }
            // Read after the lock, so a rotation committed while this call waited is seen.
            let token = try await connection.query(
                """
                SELECT t.id, t.revoked_at IS NOT NULL AS revoked, t.rotated_at IS NOT NULL AS rotated,
                       t.rotated_at > now() - make_interval(secs => \(configuration.reuseGrace.totalSeconds)) AS within_grace,
                       c.token_hash AS child_hash
                FROM refresh_tokens t LEFT JOIN refresh_tokens c ON c.parent_id = t.id
                WHERE t.token_hash = \(presented.hash)
                """
            ).single()
            if try token.decode(Bool.self, "revoked") { return .failure(AccountsError(.sessionRevoked)) }

            guard try token.decode(Bool.self, "rotated") else {
                _ = try await connection.query(
                    """
                    WITH parent AS (
                        UPDATE refresh_tokens SET rotated_at = now() WHERE id = \(try token.decode(Int64.self, "id"))
                        RETURNING id, session_id, expires_at
                    ), session AS (
                        UPDATE sessions SET refreshed_at = now() WHERE id IN (SELECT session_id FROM parent)
                    )
                    INSERT INTO refresh_tokens (session_id, token_hash, parent_id, expires_at)
                    SELECT parent.session_id, \(child.hash), parent.id, parent.expires_at FROM parent
                    RETURNING id
                    """
                ).single()
                return .success(family)
            }

            if try token.decode(Bool?.self, "within_grace") == true {
                // The child on record must be the one this key derives (it is not when the
                // derivation key changed since the rotation): hand out only a live token.
                guard try token.decode([UInt8]?.self, "child_hash") == child.hash else {
                    return .failure(AccountsError(.invalidRefreshToken))
                }
                return .success(family)
            }

            try await family.revoke(reason: .refreshTokenReuse, on: connection)
            logger.warning(
                "authn_token_reuse",
                metadata: ["session.id": "\(family.sessionID)", "user.id": "\(family.userID)"]
            )
            return .failure(AccountsError(.refreshTokenReused))
        }
        let family = try outcome.get()
        return try await tokens(sessionID: family.sessionID, userID: family.userID, refreshToken: child.text)
    }

    /// Logs out: revokes the session the token belongs to and its whole refresh family
    /// (`revoked_reason = 'logout'`). Any token of the family will do, rotated or not; a family
    /// already revoked or expired stays as it is and the call succeeds.
    ///
    /// - Throws: ``AccountsError/Code/invalidRefreshToken`` for a malformed token (without a
    ///   database round trip) or an unknown one.
    public func logout(refreshToken: String) async throws {
        guard let presented = RefreshToken(presented: refreshToken) else { throw AccountsError(.invalidRefreshToken) }
        let found: Bool = try await pool.withTransaction { connection in
            guard let family = try await TokenFamily.lock(owning: presented, on: connection) else { return false }
            if !family.isRevoked {
                try await family.revoke(reason: .logout, on: connection)
                logger.info(
                    "authn_session_revoked",
                    metadata: ["session.id": "\(family.sessionID)", "user.id": "\(family.userID)", "reason": "logout"]
                )
            }
            return true
        }
        guard found else { throw AccountsError(.invalidRefreshToken) }
    }
}
