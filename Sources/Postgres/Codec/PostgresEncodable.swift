import Foundation

/// A Swift value that can be sent as a bound parameter (`$n`).
///
/// Values travel in PostgreSQL's binary format with an explicit type, so nothing is ever
/// spliced into SQL text. Built in: `Int16`, `Int32`, `Int64`, `Int` (as `int8`), `Bool`,
/// `String`/`Substring` (`text`), `Double` (`float8`), `Float` (`float4`), `Date`
/// (`timestamptz`, microsecond precision), `UUID`, `[UInt8]` and `Data` (`bytea`),
/// ``PostgresJSON`` (`jsonb`), arrays of `Int16`/`Int32`/`Int64`/`Int`/`Double`/`String`/`UUID`/`Bool`/
/// `[UInt8]` (for `= ANY($1)` and `unnest($1)`), with `Optional` elements for NULLs, and
/// `Optional` of any of these (`nil` is SQL NULL).
///
/// A `String`-backed enum conforms by declaration alone:
/// `extension JobState: PostgresEncodable, PostgresDecodable {}`.
public protocol PostgresEncodable: Sendable {
    /// The type the server is told the parameter has.
    static var postgresType: PostgresDataType { get }
    /// Appends the binary representation of the value.
    func encode(into buffer: inout [UInt8]) throws
    /// Whether this value is SQL NULL (only `Optional.none` is).
    var isPostgresNull: Bool { get }
}

extension PostgresEncodable {
    public var isPostgresNull: Bool { false }
}

/// An element type of an array parameter.
public protocol PostgresArrayElement: PostgresEncodable {
    /// The array type (`int8[]`, `text[]`, …).
    static var postgresArrayType: PostgresDataType { get }
}

// MARK: - integers

extension [UInt8] {
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension Int16: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int2 }
    public static var postgresArrayType: PostgresDataType { .int2Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int4 }
    public static var postgresArrayType: PostgresDataType { .int4Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int8 }
    public static var postgresArrayType: PostgresDataType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
}

extension Int: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int8 }
    public static var postgresArrayType: PostgresDataType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(self)) }
}

// MARK: - scalars

extension Bool: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .bool }
    public static var postgresArrayType: PostgresDataType { .boolArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
}

extension Double: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .float8 }
    public static var postgresArrayType: PostgresDataType { .float8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
}

extension Float: PostgresEncodable {
    public static var postgresType: PostgresDataType { .float4 }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
}

extension String: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .text }
    public static var postgresArrayType: PostgresDataType { .textArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresDataType { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension UUID: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .uuid }
    public static var postgresArrayType: PostgresDataType { .uuidArray }
    public func encode(into buffer: inout [UInt8]) {
        Swift.withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }
}

extension Date: PostgresEncodable {
    public static var postgresType: PostgresDataType { .timestamptz }
    /// Microseconds since 2000-01-01 UTC, rounded to the nearest microsecond.
    public func encode(into buffer: inout [UInt8]) {
        // Foundation counts from 2001-01-01, PostgreSQL from 2000-01-01: 366 days apart.
        let micros = (timeIntervalSinceReferenceDate * 1_000_000).rounded()
        let value: Int64
        if micros.isNaN {
            value = 0
        } else if micros >= 9.2e18 {
            value = .max  // PostgreSQL's 'infinity'
        } else if micros <= -9.2e18 {
            value = .min  // '-infinity'
        } else {
            value = Int64(micros) + 31_622_400_000_000
        }
        buffer.appendBigEndian(value)
    }
}

// MARK: - bytes

/// `UInt8` is an array element only so that `[UInt8]` is `bytea`; a lone `UInt8` is sent as `int2`.
extension UInt8: PostgresArrayElement {
    public static var postgresType: PostgresDataType { .int2 }
    /// `[UInt8]` is sent as `bytea`, not as an array of numbers.
    public static var postgresArrayType: PostgresDataType { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int16(self)) }
}

extension Data: PostgresEncodable {
    public static var postgresType: PostgresDataType { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

// MARK: - arrays, optionals, raw-representable

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresDataType { Element.postgresArrayType }

    /// PostgreSQL's binary array format: dimensions, a has-NULL flag, the element type, the
    /// size and lower bound of the one dimension, then each element with its length.
    /// `[UInt8]` is the exception: its bytes are sent as they are, as `bytea`.
    public func encode(into buffer: inout [UInt8]) throws {
        // A type check, not `self as? [UInt8]`: an empty array of any element type casts, and
        // in this unspecialized code the cast would check each byte at run time. The elements'
        // memory is the bytes themselves.
        if Element.self == UInt8.self {
            withUnsafeBytes { buffer.append(contentsOf: $0) }
            return
        }
        buffer.appendBigEndian(Int32(isEmpty ? 0 : 1))
        buffer.appendBigEndian(Int32(contains(where: \.isPostgresNull) ? 1 : 0))
        buffer.appendBigEndian(Element.postgresType.rawValue)
        if isEmpty { return }
        buffer.appendBigEndian(Int32(count))
        buffer.appendBigEndian(Int32(1))
        for element in self {
            guard !element.isPostgresNull else {
                buffer.appendBigEndian(Int32(-1))
                continue
            }
            let lengthAt = buffer.count
            buffer.appendBigEndian(Int32(0))
            try element.encode(into: &buffer)
            let length = Int32(buffer.count - lengthAt - 4)
            Swift.withUnsafeBytes(of: length.bigEndian) { bytes in
                for (offset, byte) in bytes.enumerated() { buffer[lengthAt + offset] = byte }
            }
        }
    }
}

/// `bytea[]`: an array of byte strings.
extension Array: PostgresArrayElement where Element == UInt8 {
    public static var postgresArrayType: PostgresDataType { .byteaArray }
}

/// An array element that may be NULL (`[String?]` is `text[]` with NULLs).
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresDataType { Wrapped.postgresArrayType }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresDataType { Wrapped.postgresType }
    public var isPostgresNull: Bool { self == nil }
    public func encode(into buffer: inout [UInt8]) throws {
        if let self { try self.encode(into: &buffer) }
    }
}

extension PostgresEncodable where Self: RawRepresentable, RawValue: PostgresEncodable {
    public static var postgresType: PostgresDataType { RawValue.postgresType }
    public func encode(into buffer: inout [UInt8]) throws { try rawValue.encode(into: &buffer) }
}
