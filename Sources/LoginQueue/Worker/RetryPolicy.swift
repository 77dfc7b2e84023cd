/// How long a job waits before its next attempt: exponential with full jitter above a floor,
/// longer for rate limits, and never past the job's deadline.
public struct RetryPolicy: Sendable, Equatable {
    /// The shortest wait (1 second by default, as DESIGN.md requires).
    public var floor: Duration
    /// The wait before the second attempt, before jitter; doubles per attempt.
    public var base: Duration
    /// The longest wait.
    public var cap: Duration
    /// Rate-limited errors wait this many times longer.
    public var rateLimitMultiplier: Int

    public init(floor: Duration = .seconds(1), base: Duration = .seconds(1), cap: Duration = .seconds(30), rateLimitMultiplier: Int = 5) {
        self.floor = floor
        self.base = base
        self.cap = cap
        self.rateLimitMultiplier = rateLimitMultiplier
    }

    /// The wait after the `attempt`-th attempt (1-based) failed.
    /// - Parameter random: a number in `0..<1` (injected so tests are deterministic).
    public func delay(afterAttempt attempt: Int, rateLimited: Bool, random: Double) -> Duration {
        let exponent = max(0, min(attempt - 1, 20))
        var ceiling = base * (1 << exponent)
        if rateLimited { ceiling = ceiling * rateLimitMultiplier }
        ceiling = min(ceiling, cap * (rateLimited ? rateLimitMultiplier : 1))
        // Jitter spreads retries of many jobs that failed together; half fixed, half random.
        let jittered = ceiling / 2 + ceiling / 2 * max(0, min(random, 1))
        return max(floor, jittered)
    }
}
