import OpenAPIRuntime

/// An error answer of the API (a 4xx or 5xx), with its stable code.
///
/// Branch on ``code``: it is one of the document's `ErrorCode` values (`invalid_code`,
/// `session_revoked`, `not_found`, …). A failed *login* is not an error: it is
/// ``LoginOutcome/failed(_:)``.
public struct KakaoLoginError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status.
    public let status: Int
    /// The API's error code; `nil` only for a status the document does not describe.
    public let code: Components.Schemas.ErrorCode?
    /// A short English sentence for developers (never shown to users as is).
    public let message: String
    /// Seconds after which the request may be retried (`429` and `503`).
    public let retryAfter: Int?

    /// An error for `status` with `code`.
    public init(status: Int, code: Components.Schemas.ErrorCode?, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    /// The error a generated operation's output stands for when it is not the answer the caller
    /// wanted: the payload of its case is a documented error answer, or `undocumented`.
    init(unexpected output: some Sendable) throws {
        let payload = Mirror(reflecting: output).children.first?.value
        if let answer = payload as? any ErrorAnswer {
            let envelope = try answer.envelope
            self.init(
                status: type(of: answer).status,
                code: envelope.error.code,
                message: envelope.error.message,
                retryAfter: answer.retryAfter
            )
        } else if let (status, _) = payload as? (statusCode: Int, UndocumentedPayload) {
            self.init(status: status, code: nil, message: "The API answered a status its document does not describe.")
        } else {
            self.init(status: 0, code: nil, message: "The API answered \(output), which this client does not expect here.")
        }
    }

    public var description: String {
        "KakaoLoginError(\(status) \(code?.rawValue ?? "undocumented"): \(message))"
    }
}
