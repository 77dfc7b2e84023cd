/// `application/x-www-form-urlencoded` pairs (a request body or a query string), decoded strictly:
/// a malformed escape or bytes that are not UTF-8 are errors, never guesses.
package struct FormParameters: Sendable {
    /// Why a form could not be read.
    package enum Failure: Error, Equatable {
        case malformedEscape
        case notUTF8
        case duplicate(String)
    }

    package private(set) var pairs: [(name: String, value: String)] = []

    package init() {}

    /// Parses `a=1&b=2`; `+` is a space; empty segments are skipped.
    package init(parsing bytes: some Collection<UInt8>) throws(Failure) {
        var name: [UInt8] = []
        var value: [UInt8] = []
        var inValue = false
        func flush(_ pairs: inout [(name: String, value: String)]) throws(Failure) {
            defer {
                name.removeAll(keepingCapacity: true)
                value.removeAll(keepingCapacity: true)
                inValue = false
            }
            guard !name.isEmpty || !value.isEmpty else { return }
            pairs.append((try FormParameters.decode(name), try FormParameters.decode(value)))
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): try flush(&pairs)
            case UInt8(ascii: "=") where !inValue: inValue = true
            default: if inValue { value.append(byte) } else { name.append(byte) }
            }
        }
        try flush(&pairs)
    }

    /// Parses a query string (the part after `?`), or nothing.
    package init(query: String?) throws(Failure) {
        guard let query else {
            self.init()
            return
        }
        try self.init(parsing: query.utf8)
    }

    /// Every value given for `name`, in order.
    package func values(_ name: String) -> [String] {
        pairs.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The one value of `name`, nil when absent; a parameter given twice is an error.
    package func single(_ name: String) throws(Failure) -> String? {
        var found: String?
        for pair in pairs where pair.name == name {
            guard found == nil else { throw .duplicate(name) }
            found = pair.value
        }
        return found
    }

    /// Adds the pairs of `other` whose names this form does not have (body wins over query).
    package func filling(from other: FormParameters) -> FormParameters {
        var merged = self
        let present = Set(pairs.map(\.name))
        merged.pairs.append(contentsOf: other.pairs.filter { !present.contains($0.name) })
        return merged
    }

    private static func decode(_ bytes: [UInt8]) throws(Failure) -> String {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { throw .malformedEscape }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else { throw .notUTF8 }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
