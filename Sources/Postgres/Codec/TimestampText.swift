import Foundation

/// Parses PostgreSQL's ISO `DateStyle` output of `timestamptz`, `timestamp` and `date`:
/// `YYYY-MM-DD[ HH:MM:SS[.ffffff]][±HH[:MM[:SS]]][ BC]`, plus `infinity` and `-infinity`.
/// Exact to the microsecond; no `DateFormatter`, no locale.
enum TimestampText {
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Date {
        var scanner = Scanner(bytes: bytes)
        if scanner.remaining == "infinity" { return .distantFuture }
        if scanner.remaining == "-infinity" { return .distantPast }

        var year = try scanner.number(minDigits: 4, maxDigits: 7)
        try scanner.expect("-")
        let month = try scanner.number(minDigits: 2, maxDigits: 2)
        try scanner.expect("-")
        let day = try scanner.number(minDigits: 2, maxDigits: 2)
        var secondsOfDay: Int64 = 0
        var micros: Int64 = 0
        var offsetSeconds: Int64 = 0
        if scanner.peek(" ") || scanner.peek("T"), scanner.peekDigit(at: 1) {
            scanner.advance()
            let hour = try scanner.number(minDigits: 2, maxDigits: 2)
            try scanner.expect(":")
            let minute = try scanner.number(minDigits: 2, maxDigits: 2)
            try scanner.expect(":")
            let second = try scanner.number(minDigits: 2, maxDigits: 2)
            secondsOfDay = hour * 3600 + minute * 60 + second
            if scanner.peek(".") {
                scanner.advance()
                var digits = 0
                while scanner.peekDigit(at: 0) {
                    let digit = scanner.nextDigit()
                    if digits < 6 {
                        micros = micros * 10 + digit
                        digits += 1
                    }
                }
                while digits < 6 {
                    micros *= 10
                    digits += 1
                }
            }
            if scanner.peek("+") || scanner.peek("-") {
                let sign: Int64 = scanner.peek("-") ? -1 : 1
                scanner.advance()
                var offset = try scanner.number(minDigits: 2, maxDigits: 2) * 3600
                if scanner.peek(":") {
                    scanner.advance()
                    offset += try scanner.number(minDigits: 2, maxDigits: 2) * 60
                    if scanner.peek(":") {
                        scanner.advance()
                        offset += try scanner.number(minDigits: 2, maxDigits: 2)
                    }
                }
                offsetSeconds = sign * offset
            }
        }
        if scanner.remaining == " BC" {
            year = 1 - year
            scanner.skipAll()
        }
        guard scanner.isAtEnd, (1...12).contains(month), (1...31).contains(day) else {
            throw PostgresDecodingFailure("not a timestamp")
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let unixSeconds = days * 86_400 + secondsOfDay - offsetSeconds
        // Whole microseconds since 2001-01-01 (Foundation's reference date), then one division:
        // the nearest Double, which encoding rounds back to the same microsecond.
        let referenceMicros = (unixSeconds - 978_307_200) * 1_000_000 + micros
        return Date(timeIntervalSinceReferenceDate: Double(referenceMicros) / 1_000_000)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var isAtEnd: Bool { index >= bytes.count }
        var remaining: String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index...]), as: UTF8.self) }

        func peek(_ character: Unicode.Scalar) -> Bool {
            index < bytes.count && bytes[index] == UInt8(ascii: character)
        }

        func peekDigit(at offset: Int) -> Bool {
            let position = index + offset
            return position < bytes.count && bytes[position] >= UInt8(ascii: "0") && bytes[position] <= UInt8(ascii: "9")
        }

        mutating func advance() { index += 1 }
        mutating func skipAll() { index = bytes.count }

        mutating func nextDigit() -> Int64 {
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func expect(_ character: Unicode.Scalar) throws {
            guard peek(character) else { throw PostgresDecodingFailure("not a timestamp") }
            index += 1
        }

        mutating func number(minDigits: Int, maxDigits: Int) throws -> Int64 {
            var value: Int64 = 0
            var count = 0
            while count < maxDigits, peekDigit(at: 0) {
                value = value * 10 + nextDigit()
                count += 1
            }
            guard count >= minDigits else { throw PostgresDecodingFailure("not a timestamp") }
            return value
        }
    }
}
