import EmulatorSupport

/// The counters only the Kakao emulator keeps (the shared ones are ``EmulatorCounters``).
final class KakaoCounters: CounterSet {
    let refreshRotations = EmulatorCounter()
    /// KOE237 answers of the per-user limit (not injected quota faults).
    let rateLimited = EmulatorCounter()
}
