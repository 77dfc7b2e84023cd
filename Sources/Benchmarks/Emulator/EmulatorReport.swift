import Foundation

/// The figures of one `bench emulator` run: requests, failures, throughput and latency of each
/// timed scenario, as a table (``text``) and as one JSON object (``json``).
public struct EmulatorReport: Sendable {
    let configuration: EmulatorBenchmark.Configuration
    let exchange: LoadResult
    let userMe: LoadResult
    let openidExchange: LoadResult

    /// A blank line, then one row per scenario (no newline at the end).
    public var text: String {
        let rows = [
            ("exchange (no openid)", exchange), (configuration.provider.profileName, userMe), ("exchange (openid, RS256)", openidExchange),
        ]
        let lines =
            ["", "scenario                     requests   failed   seconds   per second   p50 ms   p99 ms"]
            + rows.map { name, result in
                [
                    name.padding(toLength: 28, withPad: " ", startingAt: 0),
                    String(result.succeeded + result.failed).leftPadded(8),
                    String(result.failed).leftPadded(8),
                    String(format: "%9.2f", result.seconds),
                    String(format: "%12.0f", result.perSecond),
                    String(format: "%8.2f", result.milliseconds(atPercentile: 50)),
                    String(format: "%8.2f", result.milliseconds(atPercentile: 99)),
                ].joined(separator: " ")
            }
        return lines.joined(separator: "\n")
    }

    /// The figures as one JSON object on one line.
    public var json: String {
        func figures(_ result: LoadResult) -> String {
            #"{"requests":\#(result.succeeded + result.failed),"failed":\#(result.failed),"seconds":\#(String(format: "%.3f", result.seconds)),"per_second":\#(Int(result.perSecond)),"p50_ms":\#(result.milliseconds(atPercentile: 50)),"p99_ms":\#(result.milliseconds(atPercentile: 99))}"#
        }
        return
            #"{"provider":"\#(configuration.provider.rawValue)","client":"\#(configuration.client.rawValue)","connections":\#(configuration.connections),"exchange_per_second":\#(Int(exchange.perSecond)),"user_me_per_second":\#(Int(userMe.perSecond)),"openid_exchange_per_second":\#(Int(openidExchange.perSecond)),"exchange":\#(figures(exchange)),"user_me":\#(figures(userMe)),"openid_exchange":\#(figures(openidExchange))}"#
    }
}
