/// A field decoded without failing its container: a value of the wrong type reads as nil.
/// Kakao's bodies vary with consent, app settings and age; a surprise in one optional field
/// must not lose the whole answer.
struct Lenient<Value: Decodable>: Decodable {
    let value: Value?

    init(from decoder: any Decoder) throws {
        value = try? Value(from: decoder)
    }
}

/// Any string member name (for the `*_needs_agreement` keys, whatever they are).
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// The member's value, or nil when absent, null or of another type.
    func lenient<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T? {
        (try? decodeIfPresent(Lenient<T>.self, forKey: AnyKey(name)))??.value
    }

    /// A 64-bit id given as a JSON integer (exact beyond 2^53) or a string of digits.
    func int64(_ name: String) -> Int64? {
        lenient(name, as: Int64.self) ?? lenient(name, as: String.self).flatMap { Int64($0) }
    }
}
