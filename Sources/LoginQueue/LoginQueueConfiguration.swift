/// How logins are accepted: lifetimes and caps, for every provider (each provider's redirect
/// URIs are its ``ConfiguredProvider``'s). Defaults follow DESIGN.md.
public struct LoginQueueConfiguration: Sendable {
    /// How long an attempt may wait for its code (default 10 minutes).
    public var attemptLifetime: Duration
    /// How long a job may take from its creation (default 120 seconds).
    public var jobDeadline: Duration
    /// Attempts before a retryable failure becomes final (default 10; the deadline usually ends
    /// retries first).
    public var maxAttempts: Int
    /// Unused, unexpired attempts one client address may hold (default 30).
    public var maxPendingAttemptsPerClient: Int
    /// How long after the first read a login's tokens are delivered again (default 60 seconds).
    public var deliveryWindow: Duration
    /// How long an account deletion retries its providers before the account is erased anyway
    /// and the job fails with the provider's reason (default 10 minutes).
    public var deletionDeadline: Duration

    public init(
        attemptLifetime: Duration = .seconds(600),
        jobDeadline: Duration = .seconds(120),
        maxAttempts: Int = 10,
        maxPendingAttemptsPerClient: Int = 30,
        deliveryWindow: Duration = .seconds(60),
        deletionDeadline: Duration = .seconds(600)
    ) {
        self.attemptLifetime = attemptLifetime
        self.jobDeadline = jobDeadline
        self.maxAttempts = maxAttempts
        self.maxPendingAttemptsPerClient = maxPendingAttemptsPerClient
        self.deliveryWindow = deliveryWindow
        self.deletionDeadline = deletionDeadline
    }
}

extension Duration {
    /// Seconds as a `Double`, for `make_interval(secs => …)` binds.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
