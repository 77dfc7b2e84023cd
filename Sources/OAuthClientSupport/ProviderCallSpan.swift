import Foundation
import NIOHTTP1
import Tracing

/// The client span of one provider call: `HTTP POST` with `http.request.method`,
/// `server.address`, `url.path` and `http.response.status_code`, or the failure's kind as an
/// error status. Never the query, the form, a header or the answer: they carry codes and tokens.
enum ProviderCallSpan {
    static func name(_ method: HTTPMethod) -> String { "HTTP \(method.rawValue)" }

    static func describe(_ span: any Span, request: OAuthHTTP.Request) {
        span.attributes["http.request.method"] = request.method.rawValue
        guard let url = URLComponents(string: request.url) else { return }
        if let host = url.host { span.attributes["server.address"] = host }
        if let port = url.port { span.attributes["server.port"] = port }
        span.attributes["url.path"] = url.path
    }

    static func record(_ span: any Span, status: Int) {
        span.attributes["http.response.status_code"] = status
        if status >= 400 { span.setStatus(SpanStatus(code: .error, message: "http_\(status)")) }
    }

    static func record(_ span: any Span, failure: ExchangeFailure) {
        if let status = failure.status { span.attributes["http.response.status_code"] = status }
        span.attributes["error.type"] = failure.kindName
        span.setStatus(SpanStatus(code: .error, message: failure.kindName))
    }
}
