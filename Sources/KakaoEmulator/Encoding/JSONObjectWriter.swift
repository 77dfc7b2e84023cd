/// Builds one JSON object as text, key by key, without `JSONEncoder`: the emulator's answers are
/// small, their shape is fixed by Kakao, and this is the hot path of every benchmark.
struct JSONObjectWriter {
    private var text = "{"
    private var isEmpty = true

    init() {}

    private mutating func key(_ name: String) {
        if !isEmpty { text.append(",") }
        isEmpty = false
        text.append("\"")
        text.append(name)
        text.append("\":")
    }

    /// Adds a string member; the value is escaped.
    mutating func add(_ name: String, _ value: String) {
        key(name)
        JSONObjectWriter.appendQuoted(value, to: &text)
    }

    /// Adds a string member only when the value exists.
    mutating func add(_ name: String, ifPresent value: String?) {
        if let value { add(name, value) }
    }

    mutating func add(_ name: String, _ value: Int64) {
        key(name)
        text.append(String(value))
    }

    mutating func add(_ name: String, _ value: Int) {
        add(name, Int64(value))
    }

    mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text.append(value ? "true" : "false")
    }

    mutating func add(_ name: String, _ value: Double) {
        key(name)
        text.append(String(value))
    }

    /// Adds an array of strings.
    mutating func add(_ name: String, strings: [String]) {
        key(name)
        text.append("[")
        for (index, value) in strings.enumerated() {
            if index > 0 { text.append(",") }
            JSONObjectWriter.appendQuoted(value, to: &text)
        }
        text.append("]")
    }

    /// Adds a member whose value is already JSON text (a nested object or array).
    mutating func add(_ name: String, json: String) {
        key(name)
        text.append(json)
    }

    /// The finished object.
    consuming func finish() -> String {
        text.append("}")
        return text
    }

    /// Appends `value` as a JSON string literal (RFC 8259 escaping).
    static func appendQuoted(_ value: String, to text: inout String) {
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
