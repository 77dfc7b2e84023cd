import Postgres

extension Sessions {
    /// The sessions of ``PendingSession/creation(userID:provider:loginJobID:when:session:refreshToken:)``
    /// for many logins at once: two table expressions for the caller's statement, which delivers
    /// a batch of logins in one statement.
    ///
    /// `source` yields one row per session to create, with the columns `user_id`, `provider`,
    /// `login_job_id` (unique within `source`), `token_hash` (``PendingSession/tokenHash``),
    /// `user_agent_family` and `client_network` (``PendingSession/device``). `session` yields the
    /// `id`, `expires_at` and `login_job_id` of each session written, `refreshToken` the
    /// `session_id` of each first refresh token written: a session is created exactly when both
    /// name it.
    public func creationEach(_ source: SQLTable, session: SQLTable, refreshToken: SQLTable) -> SQLFragment {
        """
        \(session) AS (
            \(PendingSession.sessionInsert)
            SELECT user_id, provider, login_job_id, now() + make_interval(secs => \(configuration.familyLifetime.totalSeconds)),
                   user_agent_family, client_network
            FROM \(source)
            RETURNING id, expires_at, login_job_id
        ), \(refreshToken) AS (
            \(PendingSession.refreshTokenInsert)
            SELECT s.id, c.token_hash, s.expires_at FROM \(session) s JOIN \(source) c ON c.login_job_id = s.login_job_id
            RETURNING session_id
        )
        """
    }
}
