/// Fault injection of an emulator, set at start and changed at run time (`POST /_emulator/faults`).
/// (`KakaoEmulatorFaults` and `GoogleEmulatorFaults` are this type.)
///
/// Faults apply to the calls a login backend makes (each emulator names its paths: Kakao's token
/// and kapi calls, Google's token, userinfo, tokeninfo and revoke). The browser pages, discovery,
/// keys and `/_emulator/*` are never faulted. Each faulted request first waits `latencyMs` plus a
/// uniform share of `jitterMs`, then draws at most one of the rated faults (the rates are shares of
/// all requests and add up to at most 1):
///
/// - `timeoutRate`: the request is accepted and never answered, before any work is done; the
///   connection stays open until the client gives up (or the emulator stops).
/// - `dropRate`: the work is done (a code is consumed, tokens are issued), then the connection is
///   closed without an answer. A code exchanged this way counts as presented.
/// - `errorRate`: a retryable server error before any work, in the provider's shapes in turn
///   (a JSON 500, a proxy's 502 HTML page, …).
/// - `quotaRate`: the provider's quota answer before any work.
public struct EmulatorFaults: Sendable, Hashable {
    /// Added latency in milliseconds.
    public var latencyMs: Int
    /// Up to this many more milliseconds, uniformly drawn per request.
    public var jitterMs: Int
    /// Share of requests answered with a retryable server error.
    public var errorRate: Double
    /// Share of requests accepted and never answered.
    public var timeoutRate: Double
    /// Share of requests whose work is done and whose connection is then dropped.
    public var dropRate: Double
    /// Share of requests answered with a quota error.
    public var quotaRate: Double

    /// No faults at all.
    public static let none = EmulatorFaults()

    public init(
        latencyMs: Int = 0,
        jitterMs: Int = 0,
        errorRate: Double = 0,
        timeoutRate: Double = 0,
        dropRate: Double = 0,
        quotaRate: Double = 0
    ) {
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.errorRate = errorRate
        self.timeoutRate = timeoutRate
        self.dropRate = dropRate
        self.quotaRate = quotaRate
    }

    /// True when a request goes through untouched.
    public var isNone: Bool { self == .none }

    /// Checks the ranges: latencies 0…600000 ms, rates 0…1 adding up to at most 1.
    public func validate() throws(EmulatorError) {
        for (name, value) in [("latency_ms", latencyMs), ("jitter_ms", jitterMs)] where !(0...600_000).contains(value) {
            throw EmulatorError(.invalidFaults, "\(name) must be between 0 and 600000")
        }
        let rates = [("error_rate", errorRate), ("timeout_rate", timeoutRate), ("drop_rate", dropRate), ("quota_rate", quotaRate)]
        for (name, value) in rates where !(0...1).contains(value) {
            throw EmulatorError(.invalidFaults, "\(name) must be between 0 and 1")
        }
        guard rates.reduce(0, { $0 + $1.1 }) <= 1.000_001 else {
            throw EmulatorError(.invalidFaults, "the fault rates add up to more than 1")
        }
    }

    /// The fault settings as the JSON object `/_emulator/faults` reads and answers.
    package var json: String {
        var object = JSONObjectWriter()
        object.add("latency_ms", latencyMs)
        object.add("jitter_ms", jitterMs)
        object.add("error_rate", errorRate)
        object.add("timeout_rate", timeoutRate)
        object.add("drop_rate", dropRate)
        object.add("quota_rate", quotaRate)
        return object.finish()
    }
}

extension EmulatorFaults: Decodable {
    private enum CodingKeys: String, CodingKey {
        case latencyMs = "latency_ms"
        case jitterMs = "jitter_ms"
        case errorRate = "error_rate"
        case timeoutRate = "timeout_rate"
        case dropRate = "drop_rate"
        case quotaRate = "quota_rate"
    }

    /// Reads the snake_case JSON object; every member is optional and defaults to 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            latencyMs: try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? 0,
            jitterMs: try container.decodeIfPresent(Int.self, forKey: .jitterMs) ?? 0,
            errorRate: try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0,
            timeoutRate: try container.decodeIfPresent(Double.self, forKey: .timeoutRate) ?? 0,
            dropRate: try container.decodeIfPresent(Double.self, forKey: .dropRate) ?? 0,
            quotaRate: try container.decodeIfPresent(Double.self, forKey: .quotaRate) ?? 0
        )
    }
}
