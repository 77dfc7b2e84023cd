/// The spans of OTLP/HTTP protobuf export requests (`ExportTraceServiceRequest`), read with a
/// minimal protobuf reader: only the fields the traces tests look at.
struct OTLPSpan: Sendable {
    var traceID: String
    var spanID: String
    var parentSpanID: String
    var name: String
    var kind: Int
    /// String, integer and boolean values, as text.
    var attributes: [String: String]
    var statusCode: Int
    var statusMessage: String
    /// The resource's `service.name`.
    var serviceName: String
}

enum OTLPTraces {
    /// Every span of one export request's body.
    static func spans(in body: [UInt8]) throws -> [OTLPSpan] {
        var spans: [OTLPSpan] = []
        for resourceSpans in try fields(body) where resourceSpans.number == 1 {
            let members = try fields(resourceSpans.bytes)
            var serviceName = ""
            for resource in members where resource.number == 1 {
                serviceName = try attributes(of: resource.bytes, field: 1)["service.name"] ?? ""
            }
            for scopeSpans in members where scopeSpans.number == 2 {
                for span in try fields(scopeSpans.bytes) where span.number == 2 {
                    spans.append(try decodeSpan(span.bytes, serviceName: serviceName))
                }
            }
        }
        return spans
    }

    private static func decodeSpan(_ bytes: [UInt8], serviceName: String) throws -> OTLPSpan {
        var span = OTLPSpan(
            traceID: "",
            spanID: "",
            parentSpanID: "",
            name: "",
            kind: 0,
            attributes: [:],
            statusCode: 0,
            statusMessage: "",
            serviceName: serviceName
        )
        for field in try fields(bytes) {
            switch field.number {
            case 1: span.traceID = hex(field.bytes)
            case 2: span.spanID = hex(field.bytes)
            case 4: span.parentSpanID = hex(field.bytes)
            case 5: span.name = String(decoding: field.bytes, as: UTF8.self)
            case 6: span.kind = Int(field.varint)
            case 15:
                for member in try fields(field.bytes) {
                    if member.number == 2 { span.statusMessage = String(decoding: member.bytes, as: UTF8.self) }
                    if member.number == 3 { span.statusCode = Int(member.varint) }
                }
            default: break
            }
        }
        span.attributes = try attributes(of: bytes, field: 9)
        return span
    }

    /// The `KeyValue`s of message `bytes` at `field`: string, int and bool values as text.
    private static func attributes(of bytes: [UInt8], field number: Int) throws -> [String: String] {
        var attributes: [String: String] = [:]
        for keyValue in try fields(bytes) where keyValue.number == number {
            var key = ""
            var value = ""
            for member in try fields(keyValue.bytes) {
                if member.number == 1 { key = String(decoding: member.bytes, as: UTF8.self) }
                guard member.number == 2 else { continue }
                for any in try fields(member.bytes) {
                    switch any.number {
                    case 1: value = String(decoding: any.bytes, as: UTF8.self)
                    case 2: value = any.varint == 0 ? "false" : "true"
                    case 3: value = String(Int64(bitPattern: any.varint))
                    default: value = "?"
                    }
                }
            }
            attributes[key] = value
        }
        return attributes
    }

    private struct Field {
        var number: Int
        var varint: UInt64 = 0
        var bytes: [UInt8] = []
    }

    private struct Malformed: Error {}

    /// The fields of one message, in order.
    private static func fields(_ bytes: [UInt8]) throws -> [Field] {
        var fields: [Field] = []
        var index = 0
        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed() }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while index < bytes.count {
            let tag = try varint()
            var field = Field(number: Int(tag >> 3))
            switch tag & 7 {
            case 0: field.varint = try varint()
            case 1, 5:
                let size = tag & 7 == 1 ? 8 : 4
                guard index + size <= bytes.count else { throw Malformed() }
                field.bytes = Array(bytes[index..<index + size])
                index += size
            case 2:
                let length = Int(try varint())
                guard length >= 0, index + length <= bytes.count else { throw Malformed() }
                field.bytes = Array(bytes[index..<index + length])
                index += length
            default: throw Malformed()
            }
            fields.append(field)
        }
        return fields
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
