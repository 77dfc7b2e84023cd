import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON in and out, with the API's own rules: a body that is not a JSON object of the expected
/// shape is `400 invalid_request`, naming the member but never echoing a value.
enum JSONBody {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// `value` as JSON bytes. Our response types always encode.
    static func encode(_ value: some Encodable) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try encoder.encode(value))
        } catch {
            preconditionFailure("a response type failed to encode: \(type(of: value))")
        }
    }

    /// A `200` (or `status`) JSON answer.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: encode(value)))
    }

    /// Decodes the body that ``JSONBodyMiddleware`` collected. An empty body decodes as `{}`.
    static func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws -> Body {
        // The middleware has already collected the body within the limit: this only copies it.
        let buffer = try await request.body.collect(upTo: .max)
        let bytes = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(Body.self, from: bytes)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.invalidRequest("The body misses \"\(key.stringValue)\".")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw APIError.invalidRequest("The body member \"\(path(context))\" has the wrong type.")
        } catch {
            throw APIError.invalidRequest("The body is not a JSON object.")
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }
}
