import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The documents shipped with the API, read once at start: `openapi.yaml`, and the demo frontend
/// (`Resources/demo`, served only with ``LoginAPIConfiguration/demoPage``): the start page at
/// `/`, the callback page at `/auth/{provider}/callback` (the providers' redirect URI), their scripts and
/// stylesheet under `/demo/`. HTML pages refuse to be framed.
struct DemoController: Sendable {
    struct File: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    let files: [String: File]
    let openAPI: File?

    /// Loads the bundled files; a missing file leaves its route answering 404.
    init(bundle: Bundle = .module) {
        var files: [String: File] = [:]
        if let folder = bundle.url(forResource: "demo", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                guard let type = Self.contentType(of: name),
                    let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
                else { continue }
                files[name] = File(bytes: ByteBuffer(bytes: data), contentType: type)
            }
        }
        self.files = files
        self.openAPI = bundle.url(forResource: "openapi", withExtension: "yaml")
            .flatMap { FileManager.default.contents(atPath: $0.path) }
            .map { File(bytes: ByteBuffer(bytes: $0), contentType: "application/yaml; charset=utf-8") }
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
        return Self.response(openAPI, headers: [.cacheControl: "no-cache"])
    }

    private func page(_ name: String, headers: HTTPFields) throws -> Response {
        guard let file = files[name] else { throw APIError.notFound }
        return Self.response(file, headers: headers)
    }

    private static func response(_ file: File, headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = file.contentType
        fields[.xContentTypeOptions] = "nosniff"
        if file.contentType.hasPrefix("text/html") {
            // No page of ours may be framed (clickjacking): the old header and CSP's own word.
            fields[.xFrameOptions] = "DENY"
            fields[.contentSecurityPolicy] = "frame-ancestors 'none'"
        }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: file.bytes))
    }

    private static func contentType(of name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        default: nil
        }
    }
}
