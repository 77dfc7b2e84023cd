import Foundation
import OAuthClientSupport
import Testing

@Suite("JSONValue: providers' answers parsed strictly, read leniently")
struct JSONValueTests {
    struct NotJSON: Error {}

    static func parse(_ text: String) throws(NotJSON) -> JSONValue {
        guard let value = JSONValue(parsing: text.utf8) else { throw NotJSON() }
        return value
    }

    @Test("every kind of value, nested, with white space around the tokens")
    func shapes() throws {
        let value = try Self.parse(" {\"a\" : [1, -2.5e3, true, false, null, \"x\", {}, []],\n\t\"b\":{\"c\":\"d\"}}\r\n")
        #expect(
            value
                == .object([
                    "a": .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("x"), .object([:]), .array([])]
                    ),
                    "b": .object(["c": .string("d")]),
                ])
        )
        #expect(value["b"]?["c"]?.string == "d")
        #expect(value["a"]?.array?.count == 8)
        for scalar in ["0", "-0", "1e5", "0.5", "-12.75E-3", "true", "null", "\"\""] {
            #expect(throws: Never.self, "\(scalar)") { try Self.parse(scalar) }
        }
    }

    @Test("a member of another type reads as absent; the last of duplicate members counts")
    func lenientReads() throws {
        let value = try Self.parse(#"{"s":7,"b":"true","n":"12","o":[1],"dup":1,"dup":2}"#)
        #expect(value["s"]?.string == nil && value["s"]?.int == 7)
        #expect(value["b"]?.bool == nil && value["b"]?.string == "true")
        #expect(value["n"]?.int == nil && value["n"]?.id64 == 12)
        #expect(value["o"]?["x"] == nil && value["o"]?.object == nil)
        #expect(value["missing"] == nil)
        #expect(value["dup"]?.int == 2)
        #expect(JSONValue.array([])["x"] == nil)
    }

    @Test("strings arrays, flags, doubles and optional strings as Decodable would read them")
    func accessors() throws {
        let value = try Self.parse(#"{"a":["x","y"],"mixed":["x",1],"t":"TRUE","f":false,"s":"yes","d":1.5e9,"ds":"1.5","nul":null}"#)
        #expect(value["a"]?.strings == ["x", "y"])
        #expect(value["mixed"]?.strings == nil && value["s"]?.strings == nil)
        #expect(value["t"]?.flag == true && value["f"]?.flag == false && value["s"]?.flag == nil && value["d"]?.flag == nil)
        #expect(value["d"]?.double == 1.5e9 && value["ds"]?.double == nil)
        #expect(JSONValue.isOptionalString(value["missing"]) && JSONValue.isOptionalString(value["nul"]))
        #expect(
            JSONValue.isOptionalString(value["s"]) && !JSONValue.isOptionalString(value["d"]) && !JSONValue.isOptionalString(value["a"])
        )
    }

    @Test("numbers: 64-bit integers exact, integral values of other spellings, nothing inexact")
    func numbers() throws {
        #expect(try Self.parse("1376016924426814086").int64 == 1_376_016_924_426_814_086)
        #expect(try Self.parse("9223372036854775807").int64 == .max)
        #expect(try Self.parse("-9223372036854775808").int64 == .min)
        #expect(try Self.parse("9223372036854775808").int64 == nil)
        #expect(try Self.parse("21599.0").int == 21599)
        #expect(try Self.parse("2.1599e4").int == 21599)
        #expect(try Self.parse("1.5").int == nil)
        #expect(try Self.parse("1e400").int == nil)
        #expect(try Self.parse("\"9007199254740993\"").id64 == 9_007_199_254_740_993)
    }

    @Test("escapes, surrogate pairs and UTF-8 text")
    func strings() throws {
        #expect(try Self.parse(#""\"\\\/\b\f\n\r\t""#).string == "\"\\/\u{08}\u{0C}\n\r\t")
        #expect(try Self.parse(#""\u0041\u00e9\uAC00\uD83D\uDE00""#).string == "Aé가😀")
        #expect(try Self.parse("\"카카오 😀 é\"").string == "카카오 😀 é")
        #expect(try Self.parse(#""a\u0000b""#).string == "a\0b")
        #expect(try Self.parse(#"{"k\u00e9y":1}"#)["kéy"]?.int == 1)
    }

    @Test(
        "anything that is not JSON is refused",
        arguments: [
            "", " ", "{", "}", "[", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]", "01", "-", "1.", ".5", "+1",
            "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nul", "True", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
            "\"\\uD83D\"", "\"\\uD83Dx\"", "\"\\uD83D\\u0041\"", "\"\\uDE00\"", "\"a\tb\"", "\"a\nb\"", "{} {}", "1 2", "[] x",
            "// comment\n1", "{\"a\":1}/", "\u{FEFF}{}",
        ]
    )
    func refused(_ text: String) {
        #expect(throws: NotJSON.self) { try Self.parse(text) }
    }

    @Test("invalid UTF-8 inside a string or a member name is refused")
    func invalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x7B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x3A, 0x31, 0x7D],
            [0x22, 0x5C, 0x6E, 0xC0, 0xAF, 0x22],
        ] {
            #expect(JSONValue(parsing: bytes) == nil, "\(bytes)")
        }
    }

    @Test("nesting is bounded")
    func depth() {
        let limit = JSONValue.maximumDepth
        #expect(throws: Never.self) { try Self.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) }
        #expect(throws: NotJSON.self) {
            try Self.parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1))
        }
        #expect(throws: NotJSON.self) {
            try Self.parse(String(repeating: "{\"a\":", count: limit + 1) + "1" + String(repeating: "}", count: limit + 1))
        }
    }

    @Test("the documents Foundation's parser reads, this one reads the same")
    func agreesWithJSONSerialization() throws {
        let documents = [
            #"{"id":4242001,"connected_at":"2026-12-07T03:37:03Z","properties":{"nickname":"user"},"kakao_account":{"profile":{"nickname":"카카오","is_default_image":false},"email_needs_agreement":false,"is_email_valid":true,"email":"a@b.example"}}"#,
            #"{"token_type":"bearer","access_token":"abc","expires_in":21599,"refresh_token":"def","refresh_token_expires_in":5183999,"scope":"openid profile_nickname"}"#,
            #"[{"a":[[],{},[null]]},"\u00e9\n",-0.0,1E-2]"#,
        ]
        for document in documents {
            let ours = try Self.parse(document)
            let theirs = try JSONSerialization.jsonObject(with: Data(document.utf8), options: .fragmentsAllowed)
            #expect(Self.same(ours, theirs), "\(document)")
        }
    }

    /// `value` and Foundation's reading of the same text hold the same members and values.
    static func same(_ value: JSONValue, _ foundation: Any) -> Bool {
        switch value {
        case .null: return foundation is NSNull
        case .bool(let flag): return (foundation as? Bool) == flag
        case .number(let literal): return (foundation as? NSNumber)?.doubleValue == Double(literal)
        case .string(let text): return (foundation as? String) == text
        case .array(let elements):
            guard let other = foundation as? [Any], other.count == elements.count else { return false }
            return zip(elements, other).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let other = foundation as? [String: Any], other.count == members.count else { return false }
            return members.allSatisfy { name, member in other[name].map { same(member, $0) } ?? false }
        }
    }
}
