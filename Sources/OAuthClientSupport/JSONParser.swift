/// A recursive-descent parser of RFC 8259 over borrowed bytes, for ``JSONValue/init(parsing:)``.
/// Strict: no comments, trailing commas, leading zeros, single quotes, unescaped control
/// characters, invalid UTF-8 or lone surrogates.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(SyntaxError) -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard offset == bytes.count else { throw error() }
        return value
    }

    /// Not JSON. Nothing about where or why leaves the parser: an answer may hold a token.
    struct SyntaxError: Error {}

    private func error() -> SyntaxError { SyntaxError() }

    private var next: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipWhitespace() {
        while let byte = next, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - offset >= count else { throw error() }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] { throw error() }
        offset += count
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        guard let byte = next else { throw error() }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error()
        }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        var members: [String: JSONValue] = [:]
        try parseElements(closedBy: UInt8(ascii: "}")) { parser throws(SyntaxError) in
            parser.skipWhitespace()
            guard parser.next == UInt8(ascii: "\"") else { throw parser.error() }
            let name = try parser.parseString()
            parser.skipWhitespace()
            guard parser.next == UInt8(ascii: ":") else { throw parser.error() }
            parser.offset += 1
            members[name] = try parser.parseValue()
        }
        return .object(members)
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        var elements: [JSONValue] = []
        try parseElements(closedBy: UInt8(ascii: "]")) { parser throws(SyntaxError) in
            elements.append(try parser.parseValue())
        }
        return .array(elements)
    }

    /// The comma-separated elements of an array or members of an object, from its opening
    /// bracket to `close`, each read by `element`.
    private mutating func parseElements(
        closedBy close: UInt8,
        _ element: (inout JSONParser) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        depth += 1
        guard depth <= JSONValue.maximumDepth else { throw error() }
        offset += 1  // the opening bracket
        skipWhitespace()
        defer { depth -= 1 }
        if next == close {
            offset += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            switch next {
            case UInt8(ascii: ","): offset += 1
            case close:
                offset += 1
                return
            default: throw error()
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = offset
        if next == UInt8(ascii: "-") { offset += 1 }
        if next == UInt8(ascii: "0") {
            offset += 1
        } else {
            guard skipDigits() > 0 else { throw error() }
        }
        if next == UInt8(ascii: ".") {
            offset += 1
            guard skipDigits() > 0 else { throw error() }
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            offset += 1
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { offset += 1 }
            guard skipDigits() > 0 else { throw error() }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        let start = offset
        while let byte = next, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { offset += 1 }
        return offset - start
    }

    /// A string from its opening quote; the text between the quotes must be valid UTF-8.
    private mutating func parseString() throws(SyntaxError) -> String {
        offset += 1  // the opening quote
        let start = offset
        while let byte = next, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw error() }
            offset += 1
        }
        guard next != nil else { throw error() }
        if next == UInt8(ascii: "\"") {
            // No escapes: the common case, one validation and one copy.
            guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self) else {
                throw SyntaxError()
            }
            offset += 1
            return text
        }
        var unescaped = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while true {
            guard let byte = next else { throw error() }
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: unescaped, as: UTF8.self) else { throw SyntaxError() }
                offset += 1
                return text
            case UInt8(ascii: "\\"):
                offset += 1
                try appendEscape(to: &unescaped)
            default:
                guard byte >= 0x20 else { throw error() }
                unescaped.append(byte)
                offset += 1
            }
        }
    }

    /// The escape after a backslash, appended as UTF-8.
    private mutating func appendEscape(to text: inout [UInt8]) throws(SyntaxError) {
        guard let byte = next else { throw error() }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var code = UInt32(try parseHex4())
            if (0xD800..<0xDC00).contains(code) {
                // A high surrogate must be followed by an escaped low one.
                try expect("\\u")
                let low = UInt32(try parseHex4())
                guard (0xDC00..<0xE000).contains(low) else { throw error() }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error() }  // a lone low surrogate
            text.append(contentsOf: String(scalar).utf8)
        default: throw error()
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt16 {
        guard bytes.count - offset >= 4 else { throw error() }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error()
            }
            value = value << 4 | UInt16(digit)
            offset += 1
        }
        return value
    }
}
