import Foundation

/// A `Codable` value stored as JSON: sent as `jsonb`, decoded from `json`, `jsonb` or `text`.
///
/// ```swift
/// try await conn.execute("UPDATE login_jobs SET errors = errors || \(PostgresJSON([entry])) WHERE id = \(id)")
/// let profile = try row.decode(PostgresJSON<Profile>.self, "profile").value
/// ```
///
/// Encoding uses a `JSONEncoder` with sorted keys and dates as ISO-8601 strings with
/// milliseconds (`2024-03-01T12:00:00.125Z`, readable in psql); decoding accepts ISO-8601 with
/// or without fractional seconds. An encoding failure is reported when the query runs, as
/// ``PostgresError/Code/encoding``.
public struct PostgresJSON<Value: Codable & Sendable>: Sendable {
    /// The wrapped value.
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) { self.value = value }
}

extension PostgresJSON: PostgresEncodable {
    public static var postgresType: PostgresDataType { .jsonb }

    /// `jsonb`'s binary format: a version byte (1) then the JSON text.
    public func encode(into buffer: inout [UInt8]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(JSONDates.withFraction))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw PostgresEncodingFailure("\(Value.self) could not be encoded as JSON")
        }
        buffer.append(1)
        buffer.append(contentsOf: data)
    }
}

extension PostgresJSON: PostgresDecodable {
    public init(postgresText text: PostgresTextValue) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = (try? JSONDates.withFraction.parse(text)) ?? (try? JSONDates.plain.parse(text)) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 date")
        }
        do {
            value = try decoder.decode(Value.self, from: Data(text.bytes))
        } catch let error as DecodingError {
            throw PostgresDecodingFailure("invalid JSON for \(Value.self) (\(Self.describe(error)))")
        } catch {
            throw PostgresDecodingFailure("invalid JSON for \(Value.self)")
        }
    }

    /// Names the failing key path and the kind of failure, never the value.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key \(key.stringValue) at \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context): return "null where \(type) was expected at \(path(context))"
        case .dataCorrupted(let context): return "malformed at \(path(context))"
        @unknown default: return "undecodable"
        }
    }
}

/// Thrown by ``PostgresEncodable/encode(into:)`` implementations; turned into a
/// ``PostgresError`` with code ``PostgresError/Code/encoding``. Its reason must not contain
/// the value.
public struct PostgresEncodingFailure: Error, Sendable {
    /// Why the value could not be encoded, without the value itself.
    public var reason: String
    /// Creates a failure.
    public init(_ reason: String) { self.reason = reason }
}

/// The ISO-8601 forms JSON columns use for dates.
enum JSONDates {
    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let plain = Date.ISO8601FormatStyle()
}
