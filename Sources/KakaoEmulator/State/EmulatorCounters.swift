import Synchronization

/// Lock-free counters behind `GET /_emulator/stats`.
final class EmulatorCounters: Sendable {
    let requests = EmulatorCounter()
    let tokenRequests = EmulatorCounter()
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
    let userMe = EmulatorCounter()
    let accessTokenInfo = EmulatorCounter()
    let logouts = EmulatorCounter()
    let unlinks = EmulatorCounter()
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

    /// Counts a request to a backend-facing path, before faults, so faulted ones count too.
    func countRequest(toPath path: String) {
        switch path {
        case "/oauth/token": bump(\.tokenRequests)
        case "/v2/user/me": bump(\.userMe)
        case "/v1/user/access_token_info": bump(\.accessTokenInfo)
        case "/v1/user/logout": bump(\.logouts)
        case "/v1/user/unlink": bump(\.unlinks)
        default: break
        }
    }

    var snapshot: KakaoEmulatorStats {
        func read(_ counter: KeyPath<EmulatorCounters, EmulatorCounter>) -> Int { self[keyPath: counter].value.load(ordering: .relaxed) }
        return KakaoEmulatorStats(
            requestsTotal: read(\.requests),
            tokenRequestsTotal: read(\.tokenRequests),
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
            userMeTotal: read(\.userMe),
            accessTokenInfoTotal: read(\.accessTokenInfo),
            logoutTotal: read(\.logouts),
            unlinkTotal: read(\.unlinks),
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
