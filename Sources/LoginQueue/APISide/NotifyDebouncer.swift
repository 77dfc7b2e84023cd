import NIOConcurrencyHelpers

/// Decides which enqueues carry a `pg_notify` to wake the workers: at most one per window per
/// process. An enqueue that carries none follows a notified one by less than a window, and a
/// woken worker looks again one window after each claim that found work (see ``LoginWorker``),
/// so it is still picked up at once.
final class NotifyDebouncer: Sendable {
    private let window: Duration
    private let lastNotified = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    init(window: Duration) {
        self.window = window
    }

    /// True when this enqueue should notify (and records that it does).
    func shouldNotify() -> Bool {
        let now = ContinuousClock.now
        return lastNotified.withLockedValue { last in
            if let last, now - last < window { return false }
            last = now
            return true
        }
    }
}
