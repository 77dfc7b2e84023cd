import Foundation
import OpenAPIRuntime

/// Dates as the API writes them, RFC 3339 with milliseconds (`2026-01-01T09:00:00.000Z`), and
/// without fractional seconds too: the runtime's default `.iso8601` refuses the former.
struct RFC3339DateTranscoder: DateTranscoder {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let plain = Date.ISO8601FormatStyle()

    func encode(_ date: Date) throws -> String {
        Self.withFraction.format(date)
    }

    func decode(_ text: String) throws -> Date {
        if let date = try? Self.withFraction.parse(text) { return date }
        return try Self.plain.parse(text)
    }
}
