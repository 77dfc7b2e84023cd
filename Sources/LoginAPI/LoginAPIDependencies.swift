import Accounts
import LoginQueue
import Metrics
import Postgres

/// What the API calls: the database, the queue, sessions (with their token keys), and where
/// metrics go.
/// The caller owns the pool and runs it (first in the service group).
public struct LoginAPIDependencies: Sendable {
    public var pool: PostgresPool
    /// Where the one `LISTEN login_done` connection connects (its own connection, not pooled).
    public var listenerConfiguration: PostgresConfiguration
    /// One per provider this API serves (each knows its routes' segment), in the order
    /// `GET /auth/providers` lists them.
    public var attempts: [LoginAttempts]
    public var jobs: APILoginJobs
    public var sessions: Sessions
    /// Linked identities: `GET /me/identities`, unlinking.
    public var identities: UserIdentities
    /// A user's own sessions: `GET /me/sessions`, revoking one or all.
    public var userSessions: UserSessions
    /// Account deletions through the queue: `DELETE /me`, `GET /me/deletion/{id}`.
    public var deletions: APIAccountDeletions
    /// Where the API's metrics go; `nil` uses the bootstrapped `MetricsSystem`.
    public var metricsFactory: (any MetricsFactory)?
    /// The text `GET /metrics` answers (Prometheus exposition); `nil` answers 404.
    public var metricsExposition: (@Sendable () -> String)?

    public init(
        pool: PostgresPool,
        listenerConfiguration: PostgresConfiguration,
        attempts: [LoginAttempts],
        jobs: APILoginJobs,
        sessions: Sessions,
        identities: UserIdentities,
        userSessions: UserSessions,
        deletions: APIAccountDeletions,
        metricsFactory: (any MetricsFactory)? = nil,
        metricsExposition: (@Sendable () -> String)? = nil
    ) {
        self.pool = pool
        self.listenerConfiguration = listenerConfiguration
        self.attempts = attempts
        self.jobs = jobs
        self.sessions = sessions
        self.identities = identities
        self.userSessions = userSessions
        self.deletions = deletions
        self.metricsFactory = metricsFactory
        self.metricsExposition = metricsExposition
    }
}
