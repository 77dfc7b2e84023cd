/// How logins are accepted: the redirect URIs, lifetimes and caps. Defaults follow DESIGN.md.
public struct LoginQueueConfiguration: Sendable {
    /// The allow-list of redirect URIs, compared byte for byte; the first is the default.
    public var redirectURIs: [String]
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

    public init(
        redirectURIs: [String],
        attemptLifetime: Duration = .seconds(600),
        jobDeadline: Duration = .seconds(120),
        maxAttempts: Int = 10,
        maxPendingAttemptsPerClient: Int = 30,
        deliveryWindow: Duration = .seconds(60)
    ) {
        self.redirectURIs = redirectURIs
        self.attemptLifetime = attemptLifetime
        self.jobDeadline = jobDeadline
        self.maxAttempts = maxAttempts
        self.maxPendingAttemptsPerClient = maxPendingAttemptsPerClient
        self.deliveryWindow = deliveryWindow
    }
}

extension LoginQueueConfiguration {
    /// Whether `redirectURI` is in the allow-list, byte for byte (no normalisation: a URI that
    /// differs in case, a trailing slash or an escape is another URI).
    func allows(redirectURI: String) -> Bool {
        redirectURIs.contains { $0.utf8.elementsEqual(redirectURI.utf8) }
    }
}

extension Duration {
    /// Seconds as a `Double`, for `make_interval(secs => …)` binds.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
