import Testing

@testable import Postgres

/// The pool's rules, without a database: connections and waiters are plain strings, and each
/// test plays the pool's part (opening, handing over, closing) by hand.
@Suite("Pool state machine")
struct PoolStateMachineTests {
    typealias Machine = PoolStateMachine<String, String>

    /// A machine whose pool `run()` has started.
    private func running(maximum: Int) -> Machine {
        var machine = Machine(maximumConnections: maximum)
        expectEqual(machine.startRun(), true)
        return machine
    }

    /// Opens `c1` for a first waiter, `w1`, which gets it; returns that waiter's id.
    @discardableResult
    private func leaseOne(_ machine: inout Machine) -> Machine.WaiterID {
        let first = wait(&machine, "w1")
        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w1"))
        return first.id
    }

    /// Leases for a task that has to wait, and queues it as `waiter`; returns its id and whether
    /// a connection should be opened for it.
    private func wait(_ machine: inout Machine, _ waiter: String) -> (id: Machine.WaiterID, open: Bool) {
        guard case .wait(let id, _) = machine.lease() else {
            Issue.record("\(waiter) did not have to wait")
            return (-1, false)
        }
        guard case .queued(let open) = machine.enqueue(id, isCancelled: false, makeWaiter: { waiter }) else {
            Issue.record("\(waiter) was not queued")
            return (id, false)
        }
        return (id, open)
    }

    /// Opens the connection a waiter asked for: the pool's `run()` picks the request up, then it connects.
    private func open(_ machine: inout Machine, _ connection: String) -> Machine.ConnectionAction {
        machine.openRequestStarted()
        return machine.connectionOpened(connection)
    }

    @Test("a lease takes an idle connection, the one parked last")
    func leaseIdle() {
        var machine = running(maximum: 2)
        expectEqual(wait(&machine, "w1").open, true)
        expectEqual(wait(&machine, "w2").open, true)
        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w1"))
        expectEqual(open(&machine, "c2"), .handOver("c2", to: "w2"))
        expectEqual(machine.release("c1", reusable: true), .park)
        expectEqual(machine.release("c2", reusable: true), .park)
        #expect(machine.statistics == .init(leased: 0, open: 2, waiting: 0))

        expectEqual(machine.lease(), .lease("c2"))
        expectEqual(machine.lease(), .lease("c1"))
        #expect(machine.statistics == .init(leased: 2, open: 2, waiting: 0))
    }

    @Test("without an idle connection: one open request per extra waiter, never past the maximum")
    func leaseWithoutIdle() {
        var machine = running(maximum: 2)
        expectEqual(wait(&machine, "w1").open, true)
        expectEqual(wait(&machine, "w2").open, true)
        expectEqual(wait(&machine, "w3").open, false, "two connections are on their way, the maximum")
        #expect(machine.statistics == .init(leased: 0, open: 2, waiting: 3))
        #expect(machine.opening == 2)
        #expect(machine.queuedOpenRequests == 2)

        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w1"))
        #expect(machine.queuedOpenRequests == 1)
        #expect(machine.opening == 1)
        // One connection on its way for two waiters: still no third connection.
        expectEqual(wait(&machine, "w4").open, false)
        #expect(machine.total == 2)
    }

    @Test("a connection parked between lease and enqueue is used, and no waiter is made")
    func parkedWhileLeasing() {
        var machine = running(maximum: 1)
        leaseOne(&machine)
        guard case .wait(let id, _) = machine.lease() else {
            Issue.record("the second task did not have to wait")
            return
        }
        expectEqual(machine.release("c1", reusable: true), .park)
        var madeWaiter = false
        let action = machine.enqueue(id, isCancelled: false) {
            madeWaiter = true
            return "w2"
        }
        #expect(action == .lease("c1"))
        #expect(!madeWaiter)
        #expect(machine.statistics == .init(leased: 1, open: 1, waiting: 0))
    }

    @Test("a task cancelled before it queues fails and leaves nothing behind")
    func cancelledBeforeQueueing() {
        var machine = running(maximum: 1)
        guard case .wait(let id, _) = machine.lease() else {
            Issue.record("the task did not have to wait")
            return
        }
        var madeWaiter = false
        let action = machine.enqueue(id, isCancelled: true) {
            madeWaiter = true
            return "w1"
        }
        #expect(action == .failCancelled)
        #expect(!madeWaiter)
        #expect(machine.statistics == .init(leased: 0, open: 0, waiting: 0))
    }

    @Test("released connections go to the waiters in arrival order")
    func fifoHandOver() {
        var machine = running(maximum: 1)
        _ = wait(&machine, "w1")
        _ = wait(&machine, "w2")
        _ = wait(&machine, "w3")
        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w1"))
        expectEqual(machine.release("c1", reusable: true), .handOver("c1", to: "w2"))
        expectEqual(machine.release("c1", reusable: true), .handOver("c1", to: "w3"))
        expectEqual(machine.release("c1", reusable: true), .park)
        #expect(machine.statistics == .init(leased: 0, open: 1, waiting: 0))
    }

    @Test("a broken connection is closed, and replaced only when tasks wait")
    func brokenConnection() {
        var machine = running(maximum: 1)
        leaseOne(&machine)
        expectEqual(wait(&machine, "w2").open, false, "the pool is full")

        expectEqual(machine.release("c1", reusable: false), .close("c1", openConnection: true))
        #expect(machine.closing == 1)
        expectEqual(machine.connectionClosed(), false)
        #expect(machine.statistics == .init(leased: 0, open: 1, waiting: 1))
        expectEqual(open(&machine, "c2"), .handOver("c2", to: "w2"))

        expectEqual(machine.release("c2", reusable: false), .close("c2", openConnection: false))
        expectEqual(machine.connectionClosed(), false)
        #expect(machine.statistics == .init(leased: 0, open: 0, waiting: 0))
        #expect(machine.closing == 0)
    }

    @Test("a failed connect fails the oldest waiter and tries again for the others")
    func connectFailure() {
        var machine = running(maximum: 1)
        _ = wait(&machine, "w1")
        _ = wait(&machine, "w2")
        _ = wait(&machine, "w3")
        machine.openRequestStarted()

        let first = machine.connectionFailed()
        #expect(first.failWaiter == "w1")
        #expect(first.openConnection)
        #expect(!first.drained)
        #expect(machine.statistics == .init(leased: 0, open: 1, waiting: 2))

        machine.openRequestStarted()
        let second = machine.connectionFailed()
        #expect(second.failWaiter == "w2")
        #expect(second.openConnection)

        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w3"))
        #expect(machine.statistics == .init(leased: 1, open: 1, waiting: 0))
    }

    @Test("a failed connect with nobody waiting asks for nothing")
    func connectFailureWithoutWaiters() {
        var machine = running(maximum: 2)
        let (id, open) = wait(&machine, "w1")
        #expect(open)
        expectEqual(machine.removeWaiter(id), "w1", "the waiter timed out while its connection was opening")
        machine.openRequestStarted()
        let failure = machine.connectionFailed()
        #expect(failure.failWaiter == nil)
        #expect(!failure.openConnection)
        #expect(machine.statistics == .init(leased: 0, open: 0, waiting: 0))
    }

    @Test("a timeout or a cancellation removes that waiter and no other")
    func removeWaiter() {
        var machine = running(maximum: 1)
        _ = wait(&machine, "w1")
        let second = wait(&machine, "w2")
        _ = wait(&machine, "w3")
        expectEqual(machine.removeWaiter(second.id), "w2")
        expectEqual(machine.removeWaiter(second.id), nil, "a second removal (timeout after cancellation) finds nothing")
        #expect(machine.statistics.waiting == 2)
        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w1"))
        expectEqual(machine.release("c1", reusable: true), .handOver("c1", to: "w3"))
    }

    @Test("a waiter that already got its connection is not removed")
    func removeServedWaiter() {
        var machine = running(maximum: 1)
        let first = leaseOne(&machine)
        expectEqual(machine.removeWaiter(first), nil)
        #expect(machine.statistics == .init(leased: 1, open: 1, waiting: 0))
    }

    @Test("close fails the waiters, closes what opens or comes back, and reports drained once")
    func closeWithWaitersAndLeases() {
        var machine = running(maximum: 2)
        leaseOne(&machine)
        expectEqual(wait(&machine, "w2").open, true)
        expectEqual(wait(&machine, "w3").open, false)
        machine.openRequestStarted()

        let close = machine.close()
        #expect(close.failWaiters == ["w2", "w3"])
        #expect(close.closeConnections.isEmpty)
        #expect(!close.drained)
        expectEqual(machine.lease(), .failClosed)

        expectEqual(machine.connectionOpened("c2"), .close("c2", openConnection: false))
        expectEqual(machine.connectionClosed(), false, "c1 is still lent out")
        #expect(!machine.isDrained)
        expectEqual(machine.release("c1", reusable: true), .close("c1", openConnection: false))
        #expect(!machine.isDrained, "c1 is still closing")
        expectEqual(machine.connectionClosed(), true)
        #expect(machine.isDrained)

        let again = machine.close()
        #expect(again.failWaiters.isEmpty && again.closeConnections.isEmpty && !again.drained)
    }

    @Test("close closes the idle connections at once and waits for the lent ones")
    func closeWithIdle() {
        var machine = running(maximum: 2)
        _ = wait(&machine, "w1")
        _ = wait(&machine, "w2")
        expectEqual(open(&machine, "c1"), .handOver("c1", to: "w1"))
        expectEqual(open(&machine, "c2"), .handOver("c2", to: "w2"))
        expectEqual(machine.release("c2", reusable: true), .park)

        let close = machine.close()
        #expect(close.failWaiters.isEmpty)
        #expect(close.closeConnections == ["c2"])
        #expect(!close.drained)
        expectEqual(machine.connectionClosed(), false)
        expectEqual(machine.release("c1", reusable: true), .close("c1", openConnection: false))
        expectEqual(machine.connectionClosed(), true)
    }

    @Test("an empty pool is drained as it closes; queued open requests are abandoned")
    func closeEmpty() {
        var empty = running(maximum: 1)
        expectEqual(empty.close().drained, true)

        var machine = running(maximum: 1)
        _ = wait(&machine, "w1")
        let close = machine.close()
        #expect(close.failWaiters == ["w1"])
        #expect(!close.drained, "a connection was requested")
        expectEqual(machine.abandonQueuedOpenRequests(), true)
        #expect(machine.statistics == .init(leased: 0, open: 0, waiting: 0))
    }

    @Test("a connect that fails while closing can be what drains the pool")
    func connectFailureWhileClosing() {
        var machine = running(maximum: 1)
        _ = wait(&machine, "w1")
        machine.openRequestStarted()
        expectEqual(machine.close().failWaiters, ["w1"])
        let failure = machine.connectionFailed()
        #expect(failure.failWaiter == nil)
        #expect(!failure.openConnection)
        #expect(failure.drained)
    }

    @Test("a lease before run() warns once; run() starts once")
    func notRunning() {
        var machine = Machine(maximumConnections: 1)
        expectEqual(machine.lease(), .wait(1, warnNotRunning: true))
        expectEqual(machine.lease(), .wait(2, warnNotRunning: false))
        expectEqual(machine.startRun(), true)
        expectEqual(machine.startRun(), false)
    }

    @Test("counters never go negative and add up, whatever happens in whatever order")
    func randomWalk() {
        for seed in UInt64(1)...20 {
            var simulation = Simulation(maximum: Int(seed % 4) + 1, seed: seed)
            for step in 0..<400 {
                if step == 300 { simulation.close() }
                simulation.step()
                simulation.check("seed \(seed), step \(step)")
            }
            simulation.finish()
            simulation.check("seed \(seed), after the drain")
            #expect(simulation.machine.isDrained, "seed \(seed)")
            #expect(simulation.drainedReports == 1, "seed \(seed)")
        }
    }
}

/// `#expect(a == b)` for an `a` that changes the machine (a mutating call cannot run inside `#expect`).
private func expectEqual<T: Equatable>(
    _ actual: T,
    _ expected: T,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual == expected, comment, sourceLocation: sourceLocation)
}

/// Plays the pool's part at random: leases, releases (some broken), connects that succeed or
/// fail, timeouts, closes; and keeps its own count of what the machine should hold.
private struct Simulation {
    var machine: PoolStateMachine<String, String>
    var random: SplitMix64
    var leased: [String] = []
    var waiting: [PoolStateMachine<String, String>.WaiterID] = []
    var queuedOpens = 0
    var connecting = 0
    var closing = 0
    var connections = 0
    var drainedReports = 0

    init(maximum: Int, seed: UInt64) {
        machine = PoolStateMachine(maximumConnections: maximum)
        _ = machine.startRun()
        random = SplitMix64(seed: seed)
    }

    mutating func step() {
        switch random.next() % 7 {
        case 0: lease()
        case 1:
            guard !leased.isEmpty else { return }
            let connection = leased.remove(at: Int(random.next() % UInt64(leased.count)))
            apply(machine.release(connection, reusable: random.next() % 4 != 0))
        case 2:
            guard queuedOpens > 0, !machine.isClosed else { return }
            queuedOpens -= 1
            connecting += 1
            machine.openRequestStarted()
        case 3:
            guard connecting > 0 else { return }
            connecting -= 1
            connections += 1
            apply(machine.connectionOpened("c\(connections)"))
        case 4:
            guard connecting > 0 else { return }
            connecting -= 1
            let failure = machine.connectionFailed()
            #expect(failure.failWaiter == waiting.first.map { "w\($0)" }, "the oldest waiter hears of the failure")
            if failure.failWaiter != nil { waiting.removeFirst() }
            if failure.openConnection { queuedOpens += 1 }
            if failure.drained { drainedReports += 1 }
        case 5:
            guard !waiting.isEmpty else { return }
            let id = waiting.remove(at: Int(random.next() % UInt64(waiting.count)))
            expectEqual(machine.removeWaiter(id), "w\(id)")
        default:
            guard closing > 0 else { return }
            closing -= 1
            if machine.connectionClosed() { drainedReports += 1 }
        }
    }

    mutating func lease() {
        switch machine.lease() {
        case .lease(let connection):
            leased.append(connection)
        case .failClosed:
            break
        case .wait(let id, _):
            switch machine.enqueue(id, isCancelled: random.next() % 8 == 0, makeWaiter: { "w\(id)" }) {
            case .lease(let connection):
                leased.append(connection)
            case .queued(let open):
                waiting.append(id)
                if open { queuedOpens += 1 }
            case .failClosed, .failCancelled:
                break
            }
        }
    }

    mutating func apply(_ action: PoolStateMachine<String, String>.ConnectionAction) {
        switch action {
        case .park:
            break
        case .handOver(let connection, let waiter):
            #expect(waiter == "w\(waiting.first ?? -1)", "the oldest waiter is served first")
            waiting.removeFirst()
            leased.append(connection)
        case .close(_, let open):
            closing += 1
            if open { queuedOpens += 1 }
        }
    }

    mutating func close() {
        let close = machine.close()
        #expect(close.failWaiters == waiting.map { "w\($0)" })
        waiting.removeAll()
        closing += close.closeConnections.count
        if close.drained { drainedReports += 1 }
    }

    /// Gives every connection back and lets every connect and close finish, as the pool's
    /// `run()` does after close.
    mutating func finish() {
        while let connection = leased.popLast() { apply(machine.release(connection, reusable: true)) }
        if machine.abandonQueuedOpenRequests() { drainedReports += 1 }
        queuedOpens = 0
        while connecting > 0 {
            connecting -= 1
            connections += 1
            apply(machine.connectionOpened("c\(connections)"))
        }
        while closing > 0 {
            closing -= 1
            if machine.connectionClosed() { drainedReports += 1 }
        }
    }

    func check(_ when: String) {
        let statistics = machine.statistics
        #expect(statistics.leased == leased.count, "\(when)")
        #expect(statistics.waiting == waiting.count, "\(when)")
        #expect(machine.queuedOpenRequests == queuedOpens, "\(when)")
        #expect(machine.opening == queuedOpens + connecting, "\(when)")
        #expect(machine.closing == closing, "\(when)")
        let idle = machine.total - machine.leased - machine.opening
        #expect(idle >= 0 && machine.leased >= 0 && machine.opening >= 0 && machine.closing >= 0, "\(when)")
        #expect(machine.total <= machine.maximumConnections, "\(when)")
        #expect(machine.isClosed ? idle == 0 : (idle == 0 || waiting.isEmpty), "\(when): idle connections while tasks wait")
    }
}

/// A tiny seeded generator (SplitMix64), so that a failing walk can be replayed.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
