/// How `bench logins` starts new logins.
public enum LoginLoadShape: Sendable, Equatable {
    /// `browsers` browsers, each starting its next login as soon as the last one ended.
    case closed(browsers: Int)
    /// Logins start at `perSecond` on average, whatever the answers do; each takes an idle
    /// browser (or opens one).
    case open(perSecond: Double, arrivals: LoginArrivals)

    /// The shape `--concurrency N` or `--rate N` (exactly one of them) asks for.
    public init(concurrency: Int?, rate: Double?, arrivals: LoginArrivals) throws(BenchInputError) {
        switch (concurrency, rate) {
        case (let browsers?, nil): self = .closed(browsers: browsers)
        case (nil, let perSecond?): self = .open(perSecond: perSecond, arrivals: arrivals)
        default: throw BenchInputError("give either --concurrency N or --rate N")
        }
    }

    /// Checks the browsers (1…10000) or the rate (above 0, at most 100000 per second).
    func validate() throws(BenchInputError) {
        switch self {
        case .closed(let browsers):
            guard (1...10_000).contains(browsers) else { throw BenchInputError("--concurrency must be 1…10000") }
        case .open(let perSecond, _):
            guard perSecond > 0 && perSecond <= 100_000 else { throw BenchInputError("--rate must be above 0 (logins per second)") }
        }
    }

    /// `closed loop, 64 browsers` or `open loop, 100.0 logins/s (poisson arrivals)`.
    var description: String {
        switch self {
        case .closed(let browsers): "closed loop, \(browsers) browsers"
        case .open(let perSecond, let arrivals): "open loop, \(BenchText.fixed(perSecond, 1)) logins/s (\(arrivals.rawValue) arrivals)"
        }
    }

    /// The shape as members of the report's JSON object (no braces).
    var jsonMembers: String {
        switch self {
        case .closed(let browsers): #""mode":"closed","concurrency":\#(browsers)"#
        case .open(let perSecond, let arrivals): #""mode":"open","rate":\#(perSecond),"arrivals":"\#(arrivals.rawValue)""#
        }
    }
}

/// The gaps between open-loop arrivals.
public enum LoginArrivals: String, Sendable {
    /// Exponentially distributed (a Poisson process): bursts and lulls, as real users make.
    case poisson
    /// Exactly 1/rate apart.
    case uniform
}
