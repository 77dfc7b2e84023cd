import HTTPTypes
import Hummingbird
import LoginQueue

/// How a login attempt is bound to its client: the HttpOnly cookie `kakao_login_attempt`
/// (browsers), or the `X-Login-Attempt` header with the `attempt_token` (clients without
/// cookies); in the stateless flow, the `X-Poll-Token` header.
struct AttemptBinding: Sendable {
    static let cookieName = "kakao_login_attempt"
    static let cookiePath = "/auth/kakao"

    let settings: LoginAPIConfiguration.AttemptCookie

    /// The `Set-Cookie` value for a new attempt: `HttpOnly`, `Path=/auth/kakao`, `Max-Age` its
    /// lifetime, the configured `SameSite` and `Domain`, and `Secure` unless the request's host
    /// is loopback (with `SameSite=None` always, as browsers require).
    func setCookie(token: String, lifetime: Duration, request: Request) -> String {
        var parts = [
            "\(Self.cookieName)=\(token)", "Path=\(Self.cookiePath)", "Max-Age=\(lifetime.components.seconds)", "HttpOnly",
            "SameSite=\(settings.sameSite)",
        ]
        if let domain = settings.domain { parts.append("Domain=\(domain)") }
        if settings.sameSite == "None" || !Self.isLoopbackHost(request.head.authority) { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// The attempt a request presents: `X-Login-Attempt` first (it names the attempt this very
    /// page started, while the cookie is the browser's latest, which another tab may have
    /// replaced), else the cookie.
    static func attemptToken(of request: Request) -> ReaderToken? {
        (nonEmpty(request.headers[.xLoginAttempt]) ?? nonEmpty(request.cookies[cookieName]?.value)).map(ReaderToken.init)
    }

    /// The token that may read a login: the stateless flow's `X-Poll-Token`, else the attempt.
    static func readerToken(of request: Request) -> ReaderToken? {
        nonEmpty(request.headers[.xPollToken]).map(ReaderToken.init) ?? attemptToken(of: request)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
    static func isLoopbackHost(_ authority: String?) -> Bool {
        guard var host = authority?.lowercased() else { return false }
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        if host == "localhost" { return true }
        return IPAddress(host)?.isLoopback ?? false
    }
}
