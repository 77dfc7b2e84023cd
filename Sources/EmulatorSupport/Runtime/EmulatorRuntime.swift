import Foundation
import Synchronization

/// What every running emulator shares between requests beside its own state: counters, the
/// per-user elapsed times, the faults in force, the emulated clock and where it listens.
package final class EmulatorRuntime: Sendable {
    package let counters: EmulatorCounters
    /// Time spent per user, for load tests (`GET /_emulator/elapsed`).
    package let elapsed = ElapsedLedger()
    private let faults: Mutex<EmulatorFaults>
    package let clock = EmulatorClock()
    /// The variant of the next `errorRate` fault (round robin, so every variant shows up).
    package let faultRound = EmulatorSequence()
    private let listening = Mutex<String?>(nil)
    private let publicBaseURL: String?
    /// The port of the base URL before the server is bound, and of `buildApplication` by default.
    package let defaultPort: Int

    /// - Parameters:
    ///   - paths: every provider path the router serves (the control paths are added);
    ///     `tokenPaths`: the token endpoint's.
    ///   - faults: the faults in force at start (already validated).
    ///   - publicBaseURL: the base URL to write into documents instead of where it listens.
    ///   - defaultPort: the port of the base URL before the server is bound.
    package init(paths: [String], tokenPaths: [String], faults: EmulatorFaults, publicBaseURL: String?, defaultPort: Int) {
        counters = EmulatorCounters(paths: paths + ControlRoute.allCases.map(\.path), tokenPaths: tokenPaths)
        self.faults = Mutex(faults)
        self.publicBaseURL = publicBaseURL
        self.defaultPort = defaultPort
    }

    /// The faults in force.
    package var currentFaults: EmulatorFaults { faults.withLock { $0 } }

    /// Replaces the faults in force, once they are checked.
    package func setFaults(_ newFaults: EmulatorFaults) throws(EmulatorError) {
        try newFaults.validate()
        faults.withLock { $0 = newFaults }
    }

    /// The emulated time, Unix seconds (see ``EmulatorClock``).
    package var now: Double { clock.now }

    /// Records where the server listens once it is bound.
    package func serverDidBind(host: String, port: Int) {
        let visibleHost =
            switch host {
            case "0.0.0.0", "": "127.0.0.1"
            case "::": "[::1]"
            case _ where host.contains(":"): "[\(host)]"
            default: host
            }
        listening.withLock { $0 = "http://\(visibleHost):\(port)" }
    }

    /// The base URL written into documents: the public one when configured, else where it listens.
    package var baseURL: String {
        publicBaseURL ?? listening.withLock { $0 } ?? "http://127.0.0.1:\(defaultPort)"
    }
}

/// The emulated clock: the wall clock plus what tests advanced it by (`POST /_emulator/clock`).
package final class EmulatorClock: Sendable {
    private let offsetSeconds: Atomic<Int>

    // The atomics of this module are set in their initialisers, not defaulted: Swift 6.3.1's
    // optimiser crashes on a class initialiser that stores a defaulted `Atomic` in -O builds.
    package init() {
        offsetSeconds = Atomic(0)
    }

    /// Unix seconds.
    package var now: Double { Date().timeIntervalSince1970 + Double(offsetSeconds.load(ordering: .relaxed)) }

    /// Moves the clock (back when negative).
    package func advance(seconds: Int) {
        offsetSeconds.add(seconds, ordering: .relaxed)
    }
}

/// A lock-free counter that hands out 1, 2, 3, … (synthetic user ids, fault variants).
package final class EmulatorSequence: Sendable {
    private let last: Atomic<Int64>

    package init() {
        last = Atomic(0)
    }

    package func next() -> Int64 {
        last.add(1, ordering: .relaxed).newValue
    }
}
