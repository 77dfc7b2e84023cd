import Hummingbird
import NIOCore

/// Reads the parameters of a request: the query string, plus a form-encoded body when the
/// request has one. A body that is not `application/x-www-form-urlencoded` contributes nothing
/// (as when a client posts JSON to the provider: the parameters are then simply missing).
package enum RequestForm {
    package enum Failure: Error {
        case tooLarge
        case malformed(String)
    }

    /// Largest request body read (larger ones get 413 in the provider's error shape).
    package static let maxBodyBytes = 64 * 1024

    package static func read(_ request: Request, includeBody: Bool) async -> Result<FormParameters, Failure> {
        let query: FormParameters
        do {
            query = try FormParameters(query: request.uri.query)
        } catch {
            return .failure(.malformed(describe(error)))
        }
        guard includeBody else { return .success(query) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            return .failure(.tooLarge)
        }
        guard body.readableBytes > 0, isForm(request) else { return .success(query) }
        do {
            return .success(try FormParameters(parsing: body.readableBytesView).filling(from: query))
        } catch {
            return .failure(.malformed(describe(error)))
        }
    }

    /// True when the body is form-encoded (or says nothing about its type).
    package static func isForm(_ request: Request) -> Bool {
        (request.headers[.contentType]?.lowercased() ?? "application/x-www-form-urlencoded").hasPrefix("application/x-www-form-urlencoded")
    }

    package static func describe(_ failure: FormParameters.Failure) -> String {
        switch failure {
        case .malformedEscape: "malformed percent-encoding"
        case .notUTF8: "parameters are not UTF-8"
        case .duplicate(let name): "duplicate parameter: \(name)"
        }
    }
}

/// Percent-encoding of query components for the redirects the emulators build.
package enum QueryComponent {
    package static func encode(_ value: String) -> String {
        var output = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return output
    }

    /// `base?a=1&b=2`, or `base&a=1…` when the base already has a query; nil values are left out.
    package static func append(_ parameters: [(String, String?)], to base: String) -> String {
        let query = parameters.compactMap { name, value in value.map { "\(name)=\(encode($0))" } }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }
}
