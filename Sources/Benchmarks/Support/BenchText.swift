import Foundation

/// Small text helpers the bench reports share.
enum BenchText {
    /// One progress line on standard error, e.g. `bench logins: warming up`.
    static func progress(_ bench: String, _ message: String) {
        FileHandle.standardError.write(Data("bench \(bench): \(message)\n".utf8))
    }

    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// `text` as a JSON string literal, quotes and escapes included (server text can hold `"`).
    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

extension String {
    /// Padded with spaces on the left to `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
