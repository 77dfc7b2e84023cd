import Foundation
import Histogram
import NIOCore

/// The figures of one `bench logins` run, from the logins that ended inside the window: as text
/// (``text``) and as one JSON object (``json``, whose members DESIGN.md and scripts/bench-logins
/// rely on).
public struct LoginsReport: Sendable {
    let configuration: LoginsBenchmark.Configuration
    let succeeded: Int
    let failed: Int
    /// Failure reasons and how often each occurred.
    let failures: [(reason: String, count: Int)]
    /// Microseconds: POST of the code → final answer; the emulator's time for the login; the
    /// difference (what the queue added).
    let loginLatency: Histogram<UInt64>
    let emulatorTime: Histogram<UInt64>
    let queueAdded: Histogram<UInt64>
    /// Succeeded logins the emulator had no time for (should be 0).
    let unattributed: Int
    let writeTransactions: Int64
    let startsInWindow: Int
    /// The API's `/start` transactions in the window, when it exports them (else one per `/start`).
    let startTransactions: Int64?
    let statsBefore: [String: Int]
    let statsAfter: [String: Int]
    let api: ProcessMemory?
    let worker: ProcessMemory?
    /// CPU seconds each measured process used in the window.
    let cpuSeconds: [(name: String, seconds: Double)]
    let settings: ServerSettings
    let loadAverages: (before: Double?, after: Double?)

    init(
        configuration: LoginsBenchmark.Configuration,
        measured: [LoginSample],
        startsInWindow: Int,
        startTransactions: Int64?,
        emulatorElapsed: [String: Double],
        writeTransactions: Int64,
        statsBefore: [String: Int],
        statsAfter: [String: Int],
        api: ProcessMemory?,
        worker: ProcessMemory?,
        cpuSeconds: [(name: String, seconds: Double)],
        settings: ServerSettings,
        loadAverages: (Double?, Double?)
    ) {
        func histogram() -> Histogram<UInt64> { Histogram(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three) }
        var loginLatency = histogram()
        var emulatorTime = histogram()
        var queueAdded = histogram()
        var unattributed = 0
        var failures: [String: Int] = [:]
        for sample in measured {
            switch sample.outcome {
            case .succeeded:
                guard let latency = sample.latency, let user = sample.userID else { continue }
                let total = UInt64(max(0, latency.nanoseconds / 1000))
                guard let milliseconds = emulatorElapsed[user] else {
                    unattributed += 1
                    continue
                }
                let emulator = UInt64(max(0, milliseconds * 1000))
                _ = loginLatency.record(total)
                _ = emulatorTime.record(emulator)
                _ = queueAdded.record(total > emulator ? total - emulator : 0)
            case .failed(let reason), .connectionLost(let reason):
                failures[reason, default: 0] += 1
            }
        }
        self.configuration = configuration
        self.succeeded = measured.count { $0.succeeded }
        self.failed = measured.count - succeeded
        self.failures = failures.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
        self.loginLatency = loginLatency
        self.emulatorTime = emulatorTime
        self.queueAdded = queueAdded
        self.unattributed = unattributed
        self.writeTransactions = writeTransactions
        self.startsInWindow = startsInWindow
        self.startTransactions = startTransactions
        self.statsBefore = statsBefore
        self.statsAfter = statsAfter
        self.api = api
        self.worker = worker
        self.cpuSeconds = cpuSeconds
        self.settings = settings
        self.loadAverages = loadAverages
    }

    var loginsPerSecond: Double { Double(succeeded) / Double(configuration.duration) }

    /// Write transactions per succeeded login, `/start` included.
    var commitsPerLoginWithStart: Double? { succeeded > 0 ? Double(writeTransactions) / Double(succeeded) : nil }

    /// The same without the `/start`s' transactions (their group-committed INSERTs, as the API
    /// counts them; one per `/start` answered in the window when it does not): the
    /// transactions from the POST of the code to the answer, plus the worker's bookkeeping.
    var commitsPerLogin: Double? {
        succeeded > 0 ? Double(writeTransactions - startCommits) / Double(succeeded) : nil
    }

    /// The `/start`s' transactions in the window.
    var startCommits: Int64 { startTransactions ?? Int64(startsInWindow) }

    /// CPU milliseconds per succeeded login, by process, then in total.
    var cpuPerLogin: [(name: String, milliseconds: Double)] {
        guard succeeded > 0, !cpuSeconds.isEmpty else { return [] }
        let each = cpuSeconds.map { ($0.name, $0.seconds * 1000 / Double(succeeded)) }
        return each + [("total", each.reduce(0) { $0 + $1.1 })]
    }

    /// The most presentations of one code since the emulator started.
    var tokenRequestsPerCodeMax: Int { statsAfter["code_presentations_max"] ?? 0 }

    private func delta(_ name: String) -> Int { (statsAfter[name] ?? 0) - (statsBefore[name] ?? 0) }

    // MARK: text

    /// The report as the command prints it: the settings and the machine, the counts, then the
    /// latency percentiles (lines joined by newlines, no newline at the end).
    public var text: String {
        var lines: [String] = []
        func milliseconds(_ histogram: Histogram<UInt64>, _ percentile: Double) -> String {
            BenchText.fixed(Double(histogram.valueAtPercentile(percentile)) / 1000).leftPadded(9)
        }
        func row(_ name: String, _ histogram: Histogram<UInt64>) -> String {
            [
                name.padding(toLength: 34, withPad: " ", startingAt: 0),
                milliseconds(histogram, 50),
                milliseconds(histogram, 90),
                milliseconds(histogram, 99),
                BenchText.fixed(Double(histogram.max) / 1000).leftPadded(9),
            ].joined(separator: " ")
        }
        func load(_ value: Double?) -> String { value.map { BenchText.fixed($0) } ?? "?" }
        func memory(_ name: String, _ value: ProcessMemory?) -> String {
            guard let value else { return "\(name) -" }
            return "\(name) \(BenchText.fixed(value.residentMiB, 1)) MiB (peak \(BenchText.fixed(value.peakMiB, 1)))"
        }

        lines.append("")
        lines.append(
            "bench logins (\(configuration.provider.rawValue)): \(configuration.load.description), warm-up \(configuration.warmup) s, measured \(configuration.duration) s"
        )
        lines.append(settings.line)
        lines.append(
            "machine: \(MachineFacts.cores) cores shared by PostgreSQL, the emulator, the API, the worker and this bench; "
                + "load average \(load(loadAverages.before)) at the window's start, \(load(loadAverages.after)) at its end"
        )
        lines.append("")
        lines.append("logins succeeded     \(succeeded) (\(BenchText.fixed(loginsPerSecond, 1))/s)")
        lines.append(
            "logins failed        \(failed)"
                + (failures.isEmpty ? "" : "  " + failures.map { "\($0.reason) ×\($0.count)" }.joined(separator: ", "))
        )
        lines.append(
            "token requests       max \(tokenRequestsPerCodeMax) per code; \(delta("codes_presented_more_than_once")) codes presented more than once; "
                + "\(delta("token_requests_total")) token requests, \(delta(configuration.provider.profileStat)) \(configuration.provider.profileName) over the whole run, warm-up included"
        )
        if let perLogin = commitsPerLogin, let withStart = commitsPerLoginWithStart {
            lines.append(
                "commits per login    \(BenchText.fixed(perLogin)) from the POST of the code on (\(BenchText.fixed(withStart)) with /start): "
                    + "\(writeTransactions) write transactions in the window, \(startCommits) of them for \(startsInWindow) /start"
            )
        }
        lines.append("memory               \(memory("api", api)); \(memory("worker", worker))")
        if let total = cpuPerLogin.last?.milliseconds, total > 0 {
            lines.append(
                "CPU per login (ms)   " + cpuPerLogin.map { "\($0.name) \(BenchText.fixed($0.milliseconds))" }.joined(separator: ", ")
                    + "; at that cost \(MachineFacts.cores) idle cores would carry about \(Int(Double(MachineFacts.cores) * 1000 / total)) logins/s"
            )
        }
        lines.append("")
        lines.append("per succeeded login (ms)               p50       p90       p99       max")
        lines.append(row("POST of the code → answer", loginLatency))
        lines.append(row("emulator time (subtracted)", emulatorTime))
        lines.append(row("queue-added latency", queueAdded))
        if unattributed > 0 { lines.append("(\(unattributed) succeeded logins had no emulator time recorded and are left out)") }
        return lines.joined(separator: "\n")
    }

    // MARK: JSON

    /// The figures as one JSON object on one line.
    public var json: String {
        func percentiles(_ histogram: Histogram<UInt64>) -> String {
            func ms(_ value: UInt64) -> String { BenchText.fixed(Double(value) / 1000, 3) }
            return
                #"{"p50":\#(ms(histogram.valueAtPercentile(50))),"p90":\#(ms(histogram.valueAtPercentile(90))),"p99":\#(ms(histogram.valueAtPercentile(99))),"max":\#(ms(histogram.max))}"#
        }
        func number(_ value: Double?, _ digits: Int = 2) -> String { value.map { BenchText.fixed($0, digits) } ?? "null" }
        let failureMembers = failures.map { "\(BenchText.jsonString($0.reason)):\($0.count)" }.joined(separator: ",")
        return "{"
            + [
                #""provider":\#(BenchText.jsonString(configuration.provider.rawValue))"#,
                configuration.load.jsonMembers,
                #""duration_s":\#(configuration.duration),"warmup_s":\#(configuration.warmup)"#,
                #""logins_per_second":\#(number(loginsPerSecond, 1)),"logins_succeeded":\#(succeeded),"logins_failed":\#(failed)"#,
                #""failures":{\#(failureMembers)}"#,
                #""token_requests_per_code_max":\#(tokenRequestsPerCodeMax),"codes_presented_more_than_once":\#(delta("codes_presented_more_than_once"))"#,
                #""queue_added_latency_ms":\#(percentiles(queueAdded)),"login_latency_ms":\#(percentiles(loginLatency)),"emulator_time_ms":\#(percentiles(emulatorTime))"#,
                #""commits_per_login":\#(number(commitsPerLogin)),"commits_per_login_with_start":\#(number(commitsPerLoginWithStart)),"write_transactions":\#(writeTransactions),"starts":\#(startsInWindow),"start_transactions":\#(startCommits)"#,
                #""api_rss_mib":\#(number(api?.residentMiB, 1)),"worker_rss_mib":\#(number(worker?.residentMiB, 1)),"api_peak_rss_mib":\#(number(api?.peakMiB, 1)),"worker_peak_rss_mib":\#(number(worker?.peakMiB, 1))"#,
                #""cpu_ms_per_login":{\#(cpuPerLogin.map { #""\#($0.name)":\#(BenchText.fixed($0.milliseconds, 3))"# }.joined(separator: ","))}"#,
                settings.jsonMembers,
                #""cores":\#(MachineFacts.cores),"load_average_start":\#(number(loadAverages.before)),"load_average_end":\#(number(loadAverages.after))"#,
            ].joined(separator: ",") + "}"
    }
}
