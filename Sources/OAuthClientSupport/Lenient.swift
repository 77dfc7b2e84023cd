/// A field decoded without failing its container: a value of the wrong type reads as nil.
/// Providers' bodies vary with consent, app settings and age; a surprise in one optional field
/// must not lose the whole answer.
package struct Lenient<Value: Decodable>: Decodable {
    package let value: Value?

    package init(from decoder: any Decoder) throws {
        value = try? Value(from: decoder)
    }
}

/// Any string member name (for claims and members read one by one, and Kakao's
/// `*_needs_agreement` keys, whatever they are).
package struct AnyKey: CodingKey {
    package let stringValue: String
    package var intValue: Int? { nil }
    package init(_ name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// The member's value, or nil when absent, null or of another type.
    package func lenient<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T? {
        (try? decodeIfPresent(Lenient<T>.self, forKey: AnyKey(name)))??.value
    }

    /// A 64-bit id given as a JSON integer (exact beyond 2^53) or a string of digits.
    package func int64(_ name: String) -> Int64? {
        lenient(name, as: Int64.self) ?? lenient(name, as: String.self).flatMap { Int64($0) }
    }

    /// A flag given as a JSON boolean or as the string `"true"`/`"false"` (Google's tokeninfo and
    /// old ID tokens write `email_verified` as a string).
    package func flag(_ name: String) -> Bool? {
        lenient(name, as: Bool.self) ?? lenient(name, as: String.self).flatMap { ["true": true, "false": false][$0.lowercased()] }
    }
}
