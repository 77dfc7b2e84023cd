/// The bound parameters of a ``SQLQuery``: one PostgreSQL type OID and one value (or SQL NULL)
/// per `$n`, all in PostgreSQL's binary format, stored in one contiguous buffer.
///
/// Binary format with explicit lengths means no value is ever parsed from text on its way in:
/// a `bytea` needs no escaping, and a string keeps every character (a string holding `\0`,
/// which PostgreSQL's `text` cannot store, is refused by the server, never cut short).
public struct PostgresBindings: Sendable, Hashable {
    /// Type OIDs, one per parameter.
    public private(set) var typeOIDs: [UInt32] = []
    /// The byte range of each parameter in `storage`, or `nil` for SQL NULL.
    private(set) var ranges: [Range<Int>?] = []
    /// All non-NULL values, back to back, after one pad byte so that even an empty value
    /// has a valid (non-NULL) address.
    private(set) var storage: [UInt8] = [0]
    /// The first value that could not be encoded (its position and reason), reported when the
    /// query runs, since string interpolation cannot throw.
    private(set) var encodingFailure: String?
    /// The largest value one parameter may carry: PostgreSQL's limit for a field.
    static let maximumValueBytes = 1 << 30

    /// An empty list.
    public init() {}

    /// How many parameters there are.
    public var count: Int { typeOIDs.count }

    /// Whether there are no parameters.
    public var isEmpty: Bool { typeOIDs.isEmpty }

    /// Appends a value (an `Optional` that is `nil` appends SQL NULL).
    public mutating func append<Value: PostgresEncodable>(_ value: Value) {
        typeOIDs.append(Value.postgresType.rawValue)
        if value.isPostgresNull {
            ranges.append(nil)
        } else {
            let start = storage.count
            do {
                try value.encode(into: &storage)
                // PostgreSQL takes at most 1 GB in one field (and libpq's lengths are Int32).
                guard storage.count - start <= Self.maximumValueBytes else {
                    throw PostgresEncodingFailure("a value larger than 1 GB")
                }
                ranges.append(start..<storage.count)
            } catch {
                storage.removeSubrange(start...)
                ranges.append(nil)
                if encodingFailure == nil {
                    let reason = (error as? PostgresEncodingFailure)?.reason ?? "\(Value.self) could not be encoded"
                    encodingFailure = "parameter $\(count): \(reason)"
                }
            }
        }
    }

    /// Appends SQL NULL of the given type.
    public mutating func appendNull(_ type: PostgresDataType) {
        typeOIDs.append(type.rawValue)
        ranges.append(nil)
    }

    /// Calls `body` with the C arrays `PQexecParams`/`PQexecPrepared` want: value pointers
    /// (`nil` = NULL), lengths and formats (all binary). Pointers are valid only inside `body`.
    func withUnsafeParameters<R>(
        _ body: (
            _ values: UnsafePointer<UnsafePointer<CChar>?>?,
            _ lengths: UnsafePointer<Int32>?,
            _ formats: UnsafePointer<Int32>?
        ) throws -> R
    ) rethrows -> R {
        if isEmpty { return try body(nil, nil, nil) }
        let count = self.count
        return try storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            // Stack buffers (trivial types): no heap allocation per statement.
            return try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                try withUnsafeTemporaryAllocation(of: Int32.self, capacity: count * 2) { integers in
                    for (index, range) in ranges.enumerated() {
                        if let range {
                            values[index] = (base + range.lowerBound).assumingMemoryBound(to: CChar.self)
                            integers[index] = Int32(range.count)
                        } else {
                            values[index] = nil
                            integers[index] = 0
                        }
                        integers[count + index] = 1  // binary format
                    }
                    return try body(
                        UnsafePointer(values.baseAddress),
                        UnsafePointer(integers.baseAddress),
                        UnsafePointer(integers.baseAddress! + count)
                    )
                }
            }
        }
    }
}
