import NIOCore
import NIOHTTP1

/// One prepared request of a load run.
struct LoadRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?

    /// A form POST.
    static func post(_ path: String, host: String, form: String) -> LoadRequest {
        json(path, host: host, body: form, contentType: "application/x-www-form-urlencoded")
    }

    /// A POST with a body of `contentType` and extra headers.
    static func json(
        _ path: String,
        host: String,
        body: String,
        contentType: String = "application/json",
        headers extra: [(String, String)] = []
    ) -> LoadRequest {
        let buffer = ByteBuffer(string: body)
        let headers = HTTPHeaders(
            [("Host", host), ("Content-Type", contentType), ("Content-Length", String(buffer.readableBytes))] + extra
        )
        return LoadRequest(head: HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers), body: buffer)
    }

    /// A GET with extra headers.
    static func get(_ path: String, host: String, headers extra: [(String, String)]) -> LoadRequest {
        LoadRequest(
            head: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: HTTPHeaders([("Host", host)] + extra)),
            body: nil
        )
    }
}
