import Testing

@testable import LoginQueue

/// The claim loop's wake-ups: kept until asked for, bounded by their timeout, ended by
/// cancellation.
@Suite("Wake signal")
struct WakeSignalTests {
    @Test("a reason signalled before the wait is kept for it, and consumed", .timeLimit(.minutes(1)))
    func signalBeforeWait() async {
        let signal = WakeSignal()
        signal.signal(.slotFreed)
        await signal.wait(for: .slotFreed, timeout: .seconds(600))
        signal.signal(.jobsArrived)
        await signal.wait(for: .all, timeout: .seconds(600))
    }

    @Test("a waiting loop is woken by a reason it wants", .timeLimit(.minutes(1)))
    func signalDuringWait() async {
        let signal = WakeSignal()
        async let waited: Void = signal.wait(for: .jobsArrived, timeout: .seconds(600))
        signal.signal(.jobsArrived)
        await waited
    }

    @Test("a wait nobody signals ends at its timeout", .timeLimit(.minutes(1)))
    func waitTimesOut() async {
        let signal = WakeSignal()
        signal.signal(.slotFreed)
        for _ in 1...3 { await signal.wait(for: .jobsArrived, timeout: .milliseconds(50)) }
        await signal.wait(for: .jobsArrived, timeout: .zero)
    }

    @Test("cancelling the loop's task ends its wait", .timeLimit(.minutes(1)))
    func cancelledWait() async {
        let signal = WakeSignal()
        let loop = Task { await signal.wait(for: .all, timeout: .seconds(600)) }
        loop.cancel()
        await loop.value
    }
}
