import Foundation
import Histogram
import NIOCore
import Testing

@testable import Benchmarks

/// ``LoginsReport``'s arithmetic and output, from made-up logins: what reaches the JSON object
/// DESIGN.md fixes and scripts/bench-logins reads.
@Suite("bench logins report")
struct LoginsReportTests {
    /// 100 succeeded logins in a 10-second window, login `i` taking 2·i ms of which the emulator
    /// spent i ms (so the queue added i ms); 3 failed, 1 lost its connection.
    /// `startTransactions`: the API's `/start` transactions, as its metrics count them.
    static func report(
        cpuSeconds: [(name: String, seconds: Double)] = [],
        unattributed: Int = 0,
        startTransactions: Int64? = nil
    ) -> LoginsReport {
        let posted = NIODeadline.now()
        var samples = (1...100).map { i in
            LoginSample(
                outcome: .succeeded,
                userID: String(i),
                startedAt: posted,
                codePostedAt: posted,
                endedAt: posted + .milliseconds(Int64(2 * i))
            )
        }
        samples += (0..<unattributed).map { _ in
            LoginSample(outcome: .succeeded, userID: "999", startedAt: posted, codePostedAt: posted, endedAt: posted + .milliseconds(5))
        }
        samples += Array(repeating: LoginSample(outcome: .failed("login:failed:kakao_unavailable")), count: 2)
        samples.append(LoginSample(outcome: .failed("start:http_429:rate_limited")))
        samples.append(LoginSample(outcome: .connectionLost("poll")))
        return LoginsReport(
            configuration: .init(load: .closed(browsers: 16), duration: 10, warmup: 2),
            measured: samples,
            startsInWindow: 104,
            startTransactions: startTransactions,
            emulatorElapsed: Dictionary(uniqueKeysWithValues: (1...100).map { (String($0), Double($0)) }),
            writeTransactions: Int64(104 + 4 * (100 + unattributed)),
            statsBefore: ["token_requests_total": 50, "codes_presented_more_than_once": 0],
            statsAfter: ["token_requests_total": 160, "codes_presented_more_than_once": 0, "code_presentations_max": 1],
            api: ProcessMemory(status: "VmHWM:\t  65536 kB\nVmRSS:\t  51200 kB\n"),
            worker: nil,
            cpuSeconds: cpuSeconds,
            settings: ServerSettings(version: "15.18", fsync: "on", synchronousCommit: "on", sharedBuffers: "128MB", maxConnections: "100"),
            loadAverages: (1.5, nil)
        )
    }

    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func countsLoginsAndFailuresByReason() {
        let report = Self.report()
        #expect(report.succeeded == 100)
        #expect(report.failed == 4)
        #expect(report.failures.first?.reason == "login:failed:kakao_unavailable")
        #expect(report.failures.first?.count == 2)
        #expect(Set(report.failures.map(\.reason)) == ["login:failed:kakao_unavailable", "start:http_429:rate_limited", "poll"])
        #expect(report.loginsPerSecond == 10)
    }

    @Test func queueAddedLatencyIsTheLatencyMinusTheEmulatorsTime() throws {
        let latency = try #require(try Self.object(Self.report().json)["queue_added_latency_ms"] as? [String: Double])
        // HDR histograms with three significant digits: within 0.1% of the exact value.
        #expect(abs(try #require(latency["p50"]) - 50) < 0.1)
        #expect(abs(try #require(latency["p99"]) - 99) < 0.1)
        #expect(abs(try #require(latency["max"]) - 100) < 0.1)
    }

    @Test func loginsWithoutEmulatorTimeAreLeftOutOfTheLatencies() throws {
        let report = Self.report(unattributed: 3)
        #expect(report.unattributed == 3)
        #expect(report.loginLatency.totalCount == 100)
        #expect(report.text.contains("(3 succeeded logins had no emulator time recorded and are left out)"))
    }

    @Test func cpuPerLoginIsEachProcessesSecondsPerSucceededLoginThenTheTotal() {
        let perLogin = Self.report(cpuSeconds: [("postgres", 0.15), ("api", 0.08), ("worker", 0.06)]).cpuPerLogin
        #expect(perLogin.map(\.name) == ["postgres", "api", "worker", "total"])
        let expected = [1.5, 0.8, 0.6, 2.9]
        for (found, value) in zip(perLogin.map(\.milliseconds), expected) { #expect(abs(found - value) < 1e-9) }
        #expect(Self.report().cpuPerLogin.isEmpty)
    }

    @Test func commitsPerLoginLeaveOutTheStartsInTheWindow() {
        let report = Self.report()
        #expect(report.commitsPerLogin == 4)
        #expect(report.commitsPerLoginWithStart == 5.04)
    }

    @Test func commitsPerLoginLeaveOutTheStartsTransactionsWhenTheAPICountsThem() throws {
        // 104 /starts in 24 transactions: the other 80 of the 504 are the logins' own.
        let report = Self.report(startTransactions: 24)
        #expect(report.commitsPerLogin == 4.8)
        #expect(report.commitsPerLoginWithStart == 5.04)
        #expect(try Self.object(report.json)["start_transactions"] as? Int == 24)
        #expect(report.text.contains("504 write transactions in the window, 24 of them for 104 /start"))
    }

    @Test func theStartsTransactionsAreReadFromTheAPIsMetrics() {
        let exposition = """
            # TYPE db_group_commit_batch_size summary
            db_group_commit_batch_size_count{group="login_read"} 947
            db_group_commit_batch_size_count{group="login_attempt"} 1234.0
            db_group_commit_batch_size_sum{group="login_attempt"} 5000.0
            """
        #expect(APIStartCommits.count(in: exposition) == 1234)
        #expect(APIStartCommits.count(in: "db_group_commit_batch_size_count{group=\"login_read\"} 947") == nil)
    }

    @Test func jsonHoldsTheFiguresDesignMDFixes() throws {
        let object = try Self.object(Self.report(cpuSeconds: [("postgres", 0.15), ("api", 0.08)]).json)
        #expect(object["mode"] as? String == "closed")
        #expect(object["concurrency"] as? Int == 16)
        #expect(object["duration_s"] as? Int == 10)
        #expect(object["warmup_s"] as? Int == 2)
        #expect(object["logins_per_second"] as? Double == 10)
        #expect(object["logins_failed"] as? Int == 4)
        #expect(object["token_requests_per_code_max"] as? Int == 1)
        #expect(object["commits_per_login"] as? Double == 4)
        #expect(object["api_rss_mib"] as? Double == 50)
        #expect(object["api_peak_rss_mib"] as? Double == 64)
        #expect(object["worker_rss_mib"] is NSNull)
        let latency = try #require(object["queue_added_latency_ms"] as? [String: Double])
        #expect(Set(latency.keys) == ["p50", "p90", "p99", "max"])
        let cpu = try #require(object["cpu_ms_per_login"] as? [String: Double])
        #expect(cpu == ["postgres": 1.5, "api": 0.8, "total": 2.3])
        #expect(object["failures"] as? [String: Int] == ["login:failed:kakao_unavailable": 2, "start:http_429:rate_limited": 1, "poll": 1])
        #expect(object["server_version"] as? String == "15.18")
        #expect(object["load_average_start"] as? Double == 1.5)
        #expect(object["load_average_end"] is NSNull)
    }

    @Test func jsonOfAnOpenLoopNamesItsRateAndArrivals() throws {
        var report = Self.report()
        report = LoginsReport(
            configuration: .init(load: .open(perSecond: 100, arrivals: .uniform)),
            measured: [],
            startsInWindow: 0,
            startTransactions: nil,
            emulatorElapsed: [:],
            writeTransactions: 0,
            statsBefore: [:],
            statsAfter: [:],
            api: nil,
            worker: nil,
            cpuSeconds: [],
            settings: report.settings,
            loadAverages: (nil, nil)
        )
        let object = try Self.object(report.json)
        #expect(object["mode"] as? String == "open")
        #expect(object["rate"] as? Double == 100)
        #expect(object["arrivals"] as? String == "uniform")
        #expect(object["commits_per_login"] is NSNull)
        #expect(object["cpu_ms_per_login"] as? [String: Double] == [:])
        #expect(report.text.contains("bench logins (kakao): open loop, 100.0 logins/s (uniform arrivals), warm-up 10 s, measured 60 s"))
        #expect(object["provider"] as? String == "kakao")
    }

    @Test func textNamesEveryFigure() {
        let lines = Self.report(cpuSeconds: [("api", 0.08)]).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "")
        #expect(lines[1] == "bench logins (kakao): closed loop, 16 browsers, warm-up 2 s, measured 10 s")
        #expect(lines[2] == "server: PostgreSQL 15.18; fsync=on synchronous_commit=on shared_buffers=128MB max_connections=100")
        #expect(lines.contains("logins succeeded     100 (10.0/s)"))
        #expect(lines.contains { $0.hasPrefix("logins failed        4  login:failed:kakao_unavailable ×2, ") })
        #expect(
            lines.contains { $0.hasPrefix("token requests       max 1 per code; 0 codes presented more than once; 110 token requests") }
        )
        #expect(
            lines.contains {
                $0.hasPrefix("commits per login    4.00 from the POST of the code on (5.04 with /start): 504 write transactions")
            }
        )
        #expect(lines.contains("memory               api 50.0 MiB (peak 64.0); worker -"))
        #expect(lines.contains { $0.hasPrefix("CPU per login (ms)   api 0.80, total 0.80; at that cost ") })
        #expect(lines.contains { $0.hasPrefix("queue-added latency                    50.") })
    }
}
