import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// The JSON bodies of `/_emulator/*` requests.
package enum JSONBody {
    /// Decodes a JSON body; an empty body counts as `{}`; nil when it does not fit.
    package static func decode<T: Decodable>(_ type: T.Type, from request: Request) async -> T? {
        guard let body = try? await request.body.collect(upTo: RequestForm.maxBodyBytes) else { return nil }
        return try? JSONDecoder().decode(T.self, from: body.readableBytes == 0 ? ByteBuffer(string: "{}") : body)
    }
}
