import NIOCore

/// A JSON text (RFC 8259) parsed into values, for reading a provider's answer member by member.
///
/// Providers' bodies vary with consent, app settings and age: each member is read on its own,
/// and one of another type than expected reads as absent (`json["email"]?.string` is nil for
/// `"email": 7`), never failing the whole answer. Numbers keep their literal, so a 64-bit id
/// is exact (never through a `Double`). Duplicate member names: the last one counts.
///
/// Every answer of Kakao and Google is read this way. On the worker's path of every login,
/// parsing here costs a fraction of `JSONDecoder` with a lenient `Decodable` per member
/// (docs/BENCHMARKS.md).
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal as it was written (`-12`, `3.5e2`), validated.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Arrays and objects nested deeper than this are not read.
    package static let maximumDepth = 128

    /// Parses a whole JSON text: one value, with white space around it and nothing else. Nil
    /// for anything that is not JSON, invalid UTF-8, or nesting deeper than ``maximumDepth``.
    package init?(parsing bytes: UnsafeRawBufferPointer) {
        var parser = JSONParser(bytes)
        guard let value = try? parser.parseDocument() else { return nil }
        self = value
    }

    /// Parses a whole JSON text from `bytes` (e.g. `Data`, `[UInt8]`, `String.UTF8View`).
    package init?(parsing bytes: some Collection<UInt8>) {
        guard let value = Array(bytes).withUnsafeBytes({ JSONValue(parsing: $0) }) else { return nil }
        self = value
    }

    /// Parses a whole JSON text: the readable bytes of `buffer`.
    package init?(parsing buffer: ByteBuffer) {
        guard let value = buffer.withUnsafeReadableBytes({ JSONValue(parsing: $0) }) else { return nil }
        self = value
    }

    /// The member `name` of an object; nil for a missing member or when this is not an object.
    package subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }

    /// The string, when this is one.
    package var string: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The boolean, when this is one (not the string `"true"`).
    package var bool: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The number as a 64-bit integer, when it is one exactly (`7`, `7.0`, `7e0`).
    package var int64: Int64? {
        guard case .number(let literal) = self else { return nil }
        if let exact = Int64(literal) { return exact }
        guard let value = Double(literal), value.rounded() == value, value >= -0x1p63, value < 0x1p63 else { return nil }
        return Int64(value)
    }

    /// The number as an `Int`, when it is one exactly.
    package var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The number as a `Double` (the nearest one).
    package var double: Double? {
        guard case .number(let literal) = self else { return nil }
        return Double(literal)
    }

    /// The elements, when this is an array of strings only.
    package var strings: [String]? {
        guard case .array(let elements) = self else { return nil }
        let strings = elements.compactMap(\.string)
        return strings.count == elements.count ? strings : nil
    }

    /// The members, when this is an object.
    package var object: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The elements, when this is an array.
    package var array: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// A 64-bit id given as a JSON integer (exact beyond 2^53) or a string of digits.
    package var id64: Int64? { int64 ?? string.flatMap { Int64($0) } }

    /// A flag given as a JSON boolean or as the string `"true"`/`"false"` (Google's tokeninfo and
    /// old ID tokens write `email_verified` as a string).
    package var flag: Bool? {
        bool ?? string.flatMap { ["true": true, "false": false][$0.lowercased()] }
    }

    /// Whether this member holds what `Decodable` reads as an optional string: nothing (a
    /// missing member is passed as nil), null, or a string.
    package static func isOptionalString(_ member: JSONValue?) -> Bool {
        member == nil || member == .null || member?.string != nil
    }
}

/// A value read from a provider's JSON answer.
package protocol JSONReadable {
    /// Reads the value from a parsed answer; nil when a member it cannot do without is missing
    /// or unusable.
    init?(json: JSONValue)
}

extension JSONReadable {
    /// The value read from an answer's body; nil when the body is not JSON or not this value.
    package init?(body: ByteBuffer) {
        guard let json = JSONValue(parsing: body) else { return nil }
        self.init(json: json)
    }
}
