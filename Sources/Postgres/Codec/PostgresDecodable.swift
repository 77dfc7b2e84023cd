import Foundation

/// One non-NULL column value in PostgreSQL's text output format, as handed to
/// ``PostgresDecodable/init(postgresText:)``.
///
/// `bytes` points into the result and is valid only during that call: copy what you keep.
public struct PostgresTextValue {
    /// The value's text, without a terminating NUL.
    public let bytes: UnsafeRawBufferPointer
    /// The column's type.
    public let type: PostgresDataType

    /// The text as a Swift string.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Why a value could not be decoded; turned into a ``PostgresError`` with code
/// ``PostgresError/Code/decoding`` that names the column and the Swift type. Its reason must
/// not contain the value.
public struct PostgresDecodingFailure: Error, Sendable {
    /// What is wrong, without the value itself.
    public var reason: String
    /// Creates a failure.
    public init(_ reason: String) { self.reason = reason }
}

/// A Swift type that can be read from a result column.
///
/// Built in: `Int16`, `Int32`, `Int64`, `Int` (exact over the whole 64-bit range), `Bool`,
/// `String` (from any column, as its text), `Double`, `Float`, `Date` (`timestamptz`,
/// `timestamp` as UTC, `date`), `UUID`, `[UInt8]` and `Data` (`bytea`), ``PostgresJSON``,
/// arrays of decodable elements (`int8[]`, `text[]`, …), and `Optional` of any of these
/// (SQL NULL is `nil`; for a non-optional type NULL is an error).
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value from its text form.
    init(postgresText text: PostgresTextValue) throws
    /// The value to use for SQL NULL; throws for non-optional types (the default).
    static func postgresNull() throws -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws -> Self {
        throw PostgresDecodingFailure("the value is NULL")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        self = .some(try Wrapped(postgresText: text))
    }
    public static func postgresNull() throws -> Self { nil }
}

extension PostgresDecodable where Self: RawRepresentable, RawValue: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        let raw = try RawValue(postgresText: text)
        guard let value = Self(rawValue: raw) else {
            throw PostgresDecodingFailure("not a known \(Self.self) value")
        }
        self = value
    }
}

// MARK: - integers

enum IntegerText {
    /// Parses an optionally signed decimal integer exactly (no Double round trip).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { throw PostgresDecodingFailure("not an integer") }
        // Accumulate negatively so that Int64.min parses.
        var value: Int64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw PostgresDecodingFailure("not an integer")
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw PostgresDecodingFailure("out of range") }
            value = next
            index += 1
        }
        if negative { return value }
        guard value != .min else { throw PostgresDecodingFailure("out of range") }
        return -value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        self = try IntegerText.parse(text.bytes)
    }
}

extension Int: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        self = Int(try IntegerText.parse(text.bytes))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        guard let value = Int32(exactly: try IntegerText.parse(text.bytes)) else {
            throw PostgresDecodingFailure("out of range")
        }
        self = value
    }
}

extension Int16: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        guard let value = Int16(exactly: try IntegerText.parse(text.bytes)) else {
            throw PostgresDecodingFailure("out of range")
        }
        self = value
    }
}

extension UInt8: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        guard let value = UInt8(exactly: try IntegerText.parse(text.bytes)) else {
            throw PostgresDecodingFailure("out of range")
        }
        self = value
    }
}

// MARK: - scalars

extension Bool: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        switch text.string {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingFailure("not a boolean")
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        let string = text.string
        switch string {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(string) else { throw PostgresDecodingFailure("not a number") }
            self = value
        }
    }
}

extension Float: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        self = Float(try Double(postgresText: text))
    }
}

extension String: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        self = text.string
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        guard let value = UUID(uuidString: text.string) else { throw PostgresDecodingFailure("not a UUID") }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// `timestamptz` (any `TimeZone`), `timestamp` (read as UTC) and `date` (midnight UTC);
    /// `infinity` and `-infinity` become `distantFuture` and `distantPast`.
    public init(postgresText text: PostgresTextValue) throws {
        self = try TimestampText.parse(text.bytes)
    }
}

// MARK: - bytes and arrays

enum ByteaText {
    /// Decodes `bytea`'s hex output (`\x0a1b…`).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0
        else { throw PostgresDecodingFailure("not bytea in hex format") }
        var result = [UInt8]()
        result.reserveCapacity((bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else {
                throw PostgresDecodingFailure("not bytea in hex format")
            }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Data: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        guard text.type == .bytea else { throw PostgresDecodingFailure("the column is \(text.type), not bytea") }
        self = Data(try ByteaText.parse(text.bytes))
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// `[UInt8]` reads a `bytea`; any other element type reads a one-dimensional array
    /// (`int8[]`, `text[]`, `uuid[]`, …) whose NULL elements decode as the element's NULL.
    public init(postgresText text: PostgresTextValue) throws {
        if Element.self == UInt8.self {
            guard text.type == .bytea else { throw PostgresDecodingFailure("the column is \(text.type), not bytea") }
            // The same type (checked above); `as!` would cast each byte at run time here.
            self = unsafeBitCast(try ByteaText.parse(text.bytes), to: [Element].self)
            return
        }
        self = try ArrayText.parse(text.bytes) { element, isNull in
            if isNull { return try Element.postgresNull() }
            return try element.withUnsafeBytes { raw in
                try Element(postgresText: PostgresTextValue(bytes: raw, type: .unspecified))
            }
        }
    }
}

enum ArrayText {
    /// Parses a one-dimensional array literal (`{1,2,NULL}`, `{"a b","c\"d"}`).
    static func parse<T>(
        _ bytes: UnsafeRawBufferPointer,
        element: (_ text: [UInt8], _ isNull: Bool) throws -> T
    ) throws -> [T] {
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else {
            throw PostgresDecodingFailure("not a one-dimensional array")
        }
        var result: [T] = []
        var index = 1
        let end = bytes.count - 1
        if index == end { return [] }
        while index <= end {
            var value: [UInt8] = []
            var quoted = false
            if bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < end else { throw PostgresDecodingFailure("malformed array") }
                    value.append(bytes[index])
                    index += 1
                }
                index += 1  // closing quote
            } else {
                if bytes[index] == UInt8(ascii: "{") { throw PostgresDecodingFailure("multi-dimensional arrays are not supported") }
                while index < end, bytes[index] != UInt8(ascii: ",") {
                    value.append(bytes[index])
                    index += 1
                }
            }
            let isNull = !quoted && value == Array("NULL".utf8)
            result.append(try element(value, isNull))
            guard index == end || bytes[index] == UInt8(ascii: ",") else { throw PostgresDecodingFailure("malformed array") }
            index += 1
        }
        return result
    }
}
