/// `application/x-www-form-urlencoded` encoding (also the authorize URL's query): every byte
/// outside RFC 3986's unreserved set is percent-encoded, so codes, URIs and secrets go through
/// unaltered, whatever the server's parser.
package enum FormBody {
    package static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(component($0.0))=\(component($0.1))" }.joined(separator: "&")
    }

    /// `value` with every byte but `A–Z a–z 0–9 - . _ ~` percent-encoded (straight into a byte
    /// array: this runs several times per login).
    package static func component(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
