import Synchronization

/// The counters every emulator keeps the same way, lock-free: requests (all of them, and by
/// served path), token requests and grants, code presentations, faults. Each emulator adds its
/// own few (Kakao's rotations and rate limits, Google's userinfo and revocations).
package final class EmulatorCounters: CounterSet {
    package let requests = EmulatorCounter()
    /// Requests to each backend or browser path the router serves, whatever the method.
    private let publicPaths: [String: EmulatorCounter]
    /// Requests to each `/_emulator/*` path, counted only once the peer passed the loopback check.
    private let controlPaths: [String: EmulatorCounter]
    /// The token endpoint's paths (Google has aliases): `token_requests_total` sums them.
    private let tokenPaths: [String]
    package let tokenRequestsAuthorizationCode = EmulatorCounter()
    package let tokenRequestsRefreshToken = EmulatorCounter()
    package let tokensIssued = EmulatorCounter()
    package let idTokensSigned = EmulatorCounter()
    package let codesIssued = EmulatorCounter()
    package let codesPresentedMoreThanOnce = EmulatorCounter()
    /// The most presentations of any one code (a maximum, not a count).
    package let codePresentationsMax = EmulatorCounter()
    package let codesRejected = EmulatorCounter()
    package let faultsLatency = EmulatorCounter()
    package let faultsError = EmulatorCounter()
    package let faultsTimeout = EmulatorCounter()
    package let faultsDrop = EmulatorCounter()
    package let faultsQuota = EmulatorCounter()

    /// - Parameters:
    ///   - paths: every path the router serves (control paths are those under `/_emulator/`).
    ///   - tokenPaths: the token endpoint's paths.
    package init(paths: [String], tokenPaths: [String]) {
        func counters(_ paths: [String]) -> [String: EmulatorCounter] {
            Dictionary(paths.map { ($0, EmulatorCounter()) }, uniquingKeysWith: { first, _ in first })
        }
        publicPaths = counters(paths.filter { !$0.hasPrefix(LoopbackOnlyMiddleware.controlPrefix) })
        controlPaths = counters(paths.filter { $0.hasPrefix(LoopbackOnlyMiddleware.controlPrefix) })
        self.tokenPaths = tokenPaths
    }

    /// Counts a request by its path, before faults, so faulted ones count too. A path the
    /// router does not serve, or a control path, counts only in `requests`.
    package func countRequest(toPath path: String) {
        publicPaths[path]?.increment()
    }

    /// Counts a control request that passed the loopback check, under its route's path.
    package func countControlRequest(toPath path: String) {
        controlPaths[path]?.increment()
    }

    /// Records that a code has now been presented `presentations` times.
    package func recordPresentation(_ presentations: Int) {
        if presentations == 2 { codesPresentedMoreThanOnce.increment() }
        codePresentationsMax.raise(to: presentations)
    }

    /// Requests to each served path.
    package var requestsByPath: [String: Int] {
        publicPaths.merging(controlPaths, uniquingKeysWith: { first, _ in first }).mapValues(\.load)
    }

    package var snapshot: EmulatorStats {
        let byPath = requestsByPath
        return EmulatorStats(
            requestsTotal: read(\.requests),
            requestsByPath: byPath,
            tokenRequestsTotal: tokenPaths.reduce(0) { $0 + (byPath[$1] ?? 0) },
            tokenRequestsAuthorizationCode: read(\.tokenRequestsAuthorizationCode),
            tokenRequestsRefreshToken: read(\.tokenRequestsRefreshToken),
            tokensIssuedTotal: read(\.tokensIssued),
            idTokensSignedTotal: read(\.idTokensSigned),
            codesIssuedTotal: read(\.codesIssued),
            codesPresentedMoreThanOnce: read(\.codesPresentedMoreThanOnce),
            codePresentationsMax: read(\.codePresentationsMax),
            codesRejectedTotal: read(\.codesRejected),
            faultsLatencyTotal: read(\.faultsLatency),
            faultsErrorTotal: read(\.faultsError),
            faultsTimeoutTotal: read(\.faultsTimeout),
            faultsDropTotal: read(\.faultsDrop),
            faultsQuotaTotal: read(\.faultsQuota)
        )
    }
}

/// A class whose counters are named by key path (``bump(_:)``, ``read(_:)``).
package protocol CounterSet: AnyObject, Sendable {}

extension CounterSet {
    /// Adds one.
    @inline(__always)
    package func bump(_ counter: KeyPath<Self, EmulatorCounter>) {
        self[keyPath: counter].increment()
    }

    package func read(_ counter: KeyPath<Self, EmulatorCounter>) -> Int {
        self[keyPath: counter].load
    }
}

/// One counter (a class, so counters can be named by key path).
package final class EmulatorCounter: Sendable {
    private let value: Atomic<Int>

    package init() {
        value = Atomic(0)
    }

    @inline(__always)
    package func increment() {
        value.add(1, ordering: .relaxed)
    }

    package var load: Int { value.load(ordering: .relaxed) }

    /// Raises a maximum to `newValue` if it is higher.
    package func raise(to newValue: Int) {
        var current = value.load(ordering: .relaxed)
        while newValue > current {
            let (exchanged, original) = value.compareExchange(expected: current, desired: newValue, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
