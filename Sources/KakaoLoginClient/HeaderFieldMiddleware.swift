import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sets one header field on every request: how a call presents what the document's security
/// schemes describe (the generator leaves them to middleware), e.g. `X-Login-Attempt` or
/// `Authorization: Bearer …`.
struct HeaderFieldMiddleware: ClientMiddleware {
    let name: HTTPField.Name
    let value: String

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[name] = value
        return try await next(request, body, baseURL)
    }
}
