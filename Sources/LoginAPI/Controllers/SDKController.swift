import Foundation
import HTTPTypes
import Hummingbird

/// The browser client (`Resources/sdk`): `GET /sdk/kakao-login.js`, a dependency-free ES module,
/// and `GET /sdk/kakao-login.d.ts`, its TypeScript declarations. Served with `no-cache` and an
/// `ETag` (a page revalidates and gets `304` until the API ships another version); allowed
/// origins get CORS headers like every answer, so they may import the module from here.
struct SDKController: Sendable {
    let files: [String: BundledFile]

    init(bundle: Bundle = .module) {
        files = BundledFile.folder("sdk", in: bundle)
    }

    /// `GET /sdk/kakao-login.js`.
    func module(_ request: Request, context: APIRequestContext) throws -> Response {
        try answer("kakao-login.js", request)
    }

    /// `GET /sdk/kakao-login.d.ts`.
    func declarations(_ request: Request, context: APIRequestContext) throws -> Response {
        try answer("kakao-login.d.ts", request)
    }

    private func answer(_ name: String, _ request: Request) throws -> Response {
        guard let file = files[name] else { throw APIError.notFound }
        let headers: HTTPFields = [.cacheControl: "no-cache", .eTag: file.entityTag]
        let presented = request.headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }
        if presented.contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == file.entityTag || tag == "*"
        }) {
            return Response(status: .notModified, headers: headers)
        }
        return file.response(headers: headers)
    }
}
