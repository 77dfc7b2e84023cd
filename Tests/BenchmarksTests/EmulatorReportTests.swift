import Foundation
import Histogram
import NIOCore
import Testing

@testable import Benchmarks

/// `bench emulator`'s table and JSON object, from made-up load results.
@Suite("bench emulator report")
struct EmulatorReportTests {
    static func result(requests: Int, failed: Int, seconds: Double, latencyMicroseconds: UInt64) -> LoadResult {
        var result = LoadResult()
        result.succeeded = requests - failed
        result.failed = failed
        result.seconds = seconds
        for _ in 0..<requests { _ = result.latency.record(latencyMicroseconds) }
        return result
    }

    static let report = EmulatorReport(
        configuration: .init(connections: 8, client: .ahc),
        exchange: result(requests: 1000, failed: 2, seconds: 0.5, latencyMicroseconds: 2000),
        userMe: result(requests: 3000, failed: 0, seconds: 1, latencyMicroseconds: 1000),
        openidExchange: result(requests: 100, failed: 0, seconds: 0.25, latencyMicroseconds: 40_000)
    )

    @Test func jsonNamesEachScenario() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.report.json.utf8)) as? [String: Any])
        #expect(object["client"] as? String == "ahc")
        #expect(object["connections"] as? Int == 8)
        #expect(object["exchange_per_second"] as? Int == 2000)
        #expect(object["user_me_per_second"] as? Int == 3000)
        #expect(object["openid_exchange_per_second"] as? Int == 400)
        let exchange = try #require(object["exchange"] as? [String: Any])
        #expect(exchange["requests"] as? Int == 1000)
        #expect(exchange["failed"] as? Int == 2)
        #expect(exchange["seconds"] as? Double == 0.5)
        #expect(abs(try #require(exchange["p99_ms"] as? Double) - 2) < 0.01)
        #expect(
            Set(try #require(object["openid_exchange"] as? [String: Any]).keys) == [
                "requests", "failed", "seconds", "per_second", "p50_ms", "p99_ms",
            ]
        )
    }

    @Test func textHasOneRowPerScenario() {
        let lines = Self.report.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)
        #expect(lines[0] == "")
        #expect(lines[2].hasPrefix("exchange (no openid)             1000        2      0.50         2000 "))
        #expect(lines[4].hasPrefix("exchange (openid, RS256)          100        0      0.25          400 "))
    }

    @Test func codesAndTokensAreReadFromTheEmulatorsBodies() {
        let body = ByteBuffer(string: #"{"access_token":"abc.def","token_type":"bearer","code":"x"}"#)
        #expect(EmulatorBenchmark.stringField("access_token", in: body) == "abc.def")
        #expect(EmulatorBenchmark.stringField("code", in: body) == "x")
        #expect(EmulatorBenchmark.stringField("refresh_token", in: body) == nil)
        let pretty = ByteBuffer(string: "{\n  \"access_token\": \"ya29.a-b\",\n  \"expires_in\": 3599\n}")
        #expect(EmulatorBenchmark.stringField("access_token", in: pretty) == "ya29.a-b")
        #expect(EmulatorBenchmark.stringField("expires_in", in: pretty) == nil)
    }
}
