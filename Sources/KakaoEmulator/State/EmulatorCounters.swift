import Synchronization

/// Lock-free counters behind `GET /_emulator/stats`.
final class EmulatorCounters: Sendable {
    let requests = EmulatorCounter()
    /// Requests to each path the router serves (``EmulatorRoute``), whatever the method.
    private let requestsByPath = Dictionary(
        EmulatorRoute.allCases.map { ($0.path, EmulatorCounter()) },
        uniquingKeysWith: { first, _ in first }
    )
    let tokenRequestsAuthorizationCode = EmulatorCounter()
    let tokenRequestsRefreshToken = EmulatorCounter()
    let tokensIssued = EmulatorCounter()
    let idTokensSigned = EmulatorCounter()
    let codesIssued = EmulatorCounter()
    let codesPresentedMoreThanOnce = EmulatorCounter()
    /// The most presentations of any one code (a maximum, not a count).
    let codePresentationsMax = EmulatorCounter()
    let codesRejected = EmulatorCounter()
    let refreshRotations = EmulatorCounter()
    let rateLimited = EmulatorCounter()
    let faultsLatency = EmulatorCounter()
    let faultsError = EmulatorCounter()
    let faultsTimeout = EmulatorCounter()
    let faultsDrop = EmulatorCounter()
    let faultsQuota = EmulatorCounter()

    /// Adds one.
    @inline(__always)
    func bump(_ counter: KeyPath<EmulatorCounters, EmulatorCounter>) {
        self[keyPath: counter].value.add(1, ordering: .relaxed)
    }

    /// Raises a maximum to `value` if it is higher.
    func raise(_ counter: KeyPath<EmulatorCounters, EmulatorCounter>, to value: Int) {
        let atomic = self[keyPath: counter]
        var current = atomic.value.load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = atomic.value.compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Counts a request by its path, before faults, so faulted ones count too. A path the
    /// router does not serve counts only in `requests`.
    func countRequest(toPath path: String) {
        requestsByPath[path]?.value.add(1, ordering: .relaxed)
    }

    var snapshot: KakaoEmulatorStats {
        func read(_ counter: KeyPath<EmulatorCounters, EmulatorCounter>) -> Int { self[keyPath: counter].value.load(ordering: .relaxed) }
        let byPath = requestsByPath.mapValues { $0.value.load(ordering: .relaxed) }
        func requests(_ route: EmulatorRoute) -> Int { byPath[route.path] ?? 0 }
        return KakaoEmulatorStats(
            requestsTotal: read(\.requests),
            requestsByPath: byPath,
            tokenRequestsTotal: requests(.token),
            tokenRequestsAuthorizationCode: read(\.tokenRequestsAuthorizationCode),
            tokenRequestsRefreshToken: read(\.tokenRequestsRefreshToken),
            tokensIssuedTotal: read(\.tokensIssued),
            idTokensSignedTotal: read(\.idTokensSigned),
            codesIssuedTotal: read(\.codesIssued),
            codesPresentedMoreThanOnce: read(\.codesPresentedMoreThanOnce),
            codePresentationsMax: read(\.codePresentationsMax),
            codesRejectedTotal: read(\.codesRejected),
            refreshRotationsTotal: read(\.refreshRotations),
            rateLimitedTotal: read(\.rateLimited),
            userMeTotal: requests(.userMe),
            accessTokenInfoTotal: requests(.accessTokenInfo),
            logoutTotal: requests(.logout),
            unlinkTotal: requests(.unlink),
            faultsLatencyTotal: read(\.faultsLatency),
            faultsErrorTotal: read(\.faultsError),
            faultsTimeoutTotal: read(\.faultsTimeout),
            faultsDropTotal: read(\.faultsDrop),
            faultsQuotaTotal: read(\.faultsQuota)
        )
    }
}

/// One counter (a class, so counters can be named by key path).
final class EmulatorCounter: Sendable {
    let value = Atomic<Int>(0)
}
