import Foundation
import HTTPTypes
import Hummingbird

/// The documents shipped with the API, read once at start: `openapi.yaml`, and the demo frontend
/// (`Resources/demo`, served only with ``LoginAPIConfiguration/demoPage``): the start page at
/// `/`, the callback page at `/auth/{provider}/callback` (the providers' redirect URI), their scripts and
/// stylesheet under `/demo/`. The demo's scripts use the browser client of ``SDKController``.
struct DemoController: Sendable {
    let files: [String: BundledFile]
    let openAPI: BundledFile?

    /// Loads the bundled files; a missing file leaves its route answering 404.
    init(bundle: Bundle = .module) {
        self.files = BundledFile.folder("demo", in: bundle)
        self.openAPI = bundle.url(forResource: "openapi", withExtension: "yaml")
            .flatMap { FileManager.default.contents(atPath: $0.path) }
            .map { BundledFile(bytes: $0, contentType: "application/yaml; charset=utf-8") }
    }

    /// `GET /`.
    func startPage(_ request: Request, context: APIRequestContext) throws -> Response {
        try page("index.html", headers: [.referrerPolicy: "no-referrer"])
    }

    /// `GET /auth/{provider}/callback`: the same page whatever the query (its script reads the code,
    /// removes it from the address bar and posts it once). No `Referer` may carry the code.
    func callbackPage(_ request: Request, context: APIRequestContext) throws -> Response {
        try page("callback.html", headers: [.referrerPolicy: "no-referrer", .cacheControl: "no-store"])
    }

    /// `GET /demo/{asset}`: the scripts and the stylesheet (not the pages themselves).
    func asset(_ request: Request, context: APIRequestContext) throws -> Response {
        guard let name = context.parameters.get("asset"), !name.hasSuffix(".html") else { throw APIError.notFound }
        return try page(name, headers: [.cacheControl: "no-cache"])
    }

    /// `GET /openapi.yaml`.
    func openAPIDocument(_ request: Request, context: APIRequestContext) throws -> Response {
        guard let openAPI else { throw APIError.notFound }
        return openAPI.response(headers: [.cacheControl: "no-cache"])
    }

    private func page(_ name: String, headers: HTTPFields) throws -> Response {
        guard let file = files[name] else { throw APIError.notFound }
        return file.response(headers: headers)
    }
}
