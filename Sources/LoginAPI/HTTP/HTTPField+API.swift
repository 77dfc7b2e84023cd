import HTTPTypes

extension HTTPField.Name {
    /// The request id of every answer (also on every log line about the request).
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    /// The `attempt_token` of `POST /auth/kakao/start`, for clients without cookies.
    static let xLoginAttempt = HTTPField.Name("X-Login-Attempt")!
    /// The `poll_token` of the stateless flow.
    static let xPollToken = HTTPField.Name("X-Poll-Token")!
    /// Client addresses appended by proxies; read only behind a trusted proxy.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    /// `DENY` on every HTML page: no page of ours may be framed.
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
