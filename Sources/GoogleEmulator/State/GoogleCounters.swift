import EmulatorSupport

/// The counters only the Google emulator keeps (the shared ones are ``EmulatorCounters``).
final class GoogleCounters: CounterSet {
    /// Refresh tokens handed out (offline grants after a consent screen).
    let refreshTokensIssued = EmulatorCounter()
    /// Revoke requests that revoked a grant.
    let revocations = EmulatorCounter()
}
