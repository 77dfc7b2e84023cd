/// Builds one JSON object as text, key by key, without `JSONEncoder`: the emulators' answers are
/// small, their shape is fixed by the provider, and this is the hot path of every benchmark.
package struct JSONObjectWriter {
    private var text = "{"
    private var isEmpty = true
    private let pretty: Bool

    /// - Parameter pretty: one member a line, indented by two spaces (Google's token answers);
    ///   nested values added as JSON text are written as given.
    package init(pretty: Bool = false) {
        self.pretty = pretty
    }

    private mutating func key(_ name: String) {
        if pretty {
            text.append(isEmpty ? "\n  \"" : ",\n  \"")
        } else {
            if !isEmpty { text.append(",") }
            text.append("\"")
        }
        isEmpty = false
        text.append(name)
        text.append(pretty ? "\": " : "\":")
    }

    /// Adds a string member; the value is escaped.
    package mutating func add(_ name: String, _ value: String) {
        key(name)
        JSONObjectWriter.appendQuoted(value, to: &text)
    }

    /// Adds a string member only when the value exists.
    package mutating func add(_ name: String, ifPresent value: String?) {
        if let value { add(name, value) }
    }

    package mutating func add(_ name: String, _ value: Int64) {
        key(name)
        text.append(String(value))
    }

    package mutating func add(_ name: String, _ value: Int) {
        add(name, Int64(value))
    }

    package mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text.append(value ? "true" : "false")
    }

    package mutating func add(_ name: String, _ value: Double) {
        key(name)
        text.append(String(value))
    }

    /// Adds an array of strings.
    package mutating func add(_ name: String, strings: [String]) {
        key(name)
        text.append("[")
        for (index, value) in strings.enumerated() {
            if index > 0 { text.append(",") }
            JSONObjectWriter.appendQuoted(value, to: &text)
        }
        text.append("]")
    }

    /// Adds a member whose value is already JSON text (a nested object or array).
    package mutating func add(_ name: String, json: String) {
        key(name)
        text.append(json)
    }

    /// The finished object.
    package consuming func finish() -> String {
        text.append(pretty && !isEmpty ? "\n}" : "}")
        return text
    }

    /// Appends `value` as a JSON string literal (RFC 8259 escaping).
    package static func appendQuoted(_ value: String, to text: inout String) {
        text.append("\"")
        var needsEscaping = false
        for byte in value.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            text.append(value)
            text.append("\"")
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }
}
