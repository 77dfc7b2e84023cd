import Postgres

/// Ending sessions with their refresh families, as table expressions for the caller's statement:
/// every path that revokes sessions (a user, an operator, the provider's unlink callback, an
/// account deletion) writes the same two updates, sessions before their tokens.
public enum SessionRevocation {
    /// `<revoked> AS (UPDATE sessions …), <revoked>_tokens AS (UPDATE refresh_tokens …)`: ends the
    /// unrevoked sessions `condition` selects with `reason`; `revoked` yields their ids.
    public static func expressions(_ revoked: SQLTable, where condition: SQLFragment, reason: SessionRevocationReason) -> SQLFragment {
        """
        \(revoked) AS (
            UPDATE sessions SET revoked_at = now(), revoked_reason = \(reason)
            WHERE \(condition) AND revoked_at IS NULL AND \(AuditContext.requestTag)
            RETURNING id
        ), \(revoked)_tokens AS (
            UPDATE refresh_tokens SET revoked_at = now()
            WHERE session_id IN (SELECT id FROM \(revoked)) AND revoked_at IS NULL
        )
        """
    }
}
