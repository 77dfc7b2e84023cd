import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A file shipped in the `LoginAPI` bundle (`Resources/`), read once at start, and its answer.
struct BundledFile: Sendable {
    let bytes: ByteBuffer
    let contentType: String
    /// A strong validator of the bytes (64-bit FNV-1a), for `ETag` and `If-None-Match`.
    let entityTag: String

    init(bytes: Data, contentType: String) {
        self.bytes = ByteBuffer(bytes: bytes)
        self.contentType = contentType
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        self.entityTag = "\"\(String(hash, radix: 16))\""
    }

    /// The files of a bundled folder with a known content type, by name; empty when it is missing.
    static func folder(_ name: String, in bundle: Bundle) -> [String: BundledFile] {
        guard let folder = bundle.url(forResource: name, withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [:] }
        var files: [String: BundledFile] = [:]
        for name in names {
            guard let type = contentType(of: name),
                let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
            else { continue }
            files[name] = BundledFile(bytes: data, contentType: type)
        }
        return files
    }

    /// The answer with this file: `headers`, its content type and `nosniff`; HTML pages also
    /// refuse to be framed (clickjacking: the old header and CSP's own word).
    func response(headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        fields[.xContentTypeOptions] = "nosniff"
        if contentType.hasPrefix("text/html") {
            fields[.xFrameOptions] = "DENY"
            fields[.contentSecurityPolicy] = "frame-ancestors 'none'"
        }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: bytes))
    }

    /// `Content-Type` by extension; nil for files that are not served.
    static func contentType(of name: String) -> String? {
        if name.hasSuffix(".d.ts") { return "application/typescript; charset=utf-8" }
        return switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        default: nil
        }
    }
}
