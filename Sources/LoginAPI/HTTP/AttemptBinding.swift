import HTTPTypes
import Hummingbird
import LoginQueue

/// How a login attempt is bound to its client: the HttpOnly attempt cookie (browsers), or the
/// `X-Login-Attempt` header with the `attempt_token` (clients without cookies); in the stateless
/// flow, the `X-Poll-Token` header. The cookie's name, path and `Secure` follow
/// ``LoginAPIConfiguration/AttemptCookie``.
struct AttemptBinding: Sendable {
    let settings: LoginAPIConfiguration.AttemptCookie

    /// `Secure`: as configured, and always with `SameSite=None` (browsers require it).
    var isSecure: Bool { settings.secure || settings.sameSite == "None" }

    /// `__Host-login_attempt`, `__Secure-login_attempt` (with a domain) or, without `Secure`,
    /// `login_attempt`: browsers refuse a prefixed cookie that breaks the prefix's rules, so a
    /// network attacker cannot plant one over plain HTTP or from a sibling domain.
    var cookieName: String {
        guard isSecure else { return "login_attempt" }
        return settings.domain == nil ? "__Host-login_attempt" : "__Secure-login_attempt"
    }

    /// `/` for a `__Host-` cookie (its rules require it), else `/auth` (every provider's routes).
    var cookiePath: String { isSecure && settings.domain == nil ? "/" : "/auth" }

    /// The `Set-Cookie` value for a new attempt.
    func setCookie(token: String, lifetime: Duration) -> String {
        var parts = [
            "\(cookieName)=\(token)", "Path=\(cookiePath)", "Max-Age=\(lifetime.components.seconds)", "HttpOnly",
            "SameSite=\(settings.sameSite)",
        ]
        if let domain = settings.domain { parts.append("Domain=\(domain)") }
        if isSecure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// The attempt a request presents: `X-Login-Attempt` first (it names the attempt this very
    /// page started, while the cookie is the browser's latest, which another tab may have
    /// replaced), else the cookie.
    func attemptToken(of request: Request) -> ReaderToken? {
        (Self.nonEmpty(request.headers[.xLoginAttempt]) ?? Self.nonEmpty(request.cookies[cookieName]?.value)).map(ReaderToken.init)
    }

    /// The token that may read a login: the stateless flow's `X-Poll-Token`, else the attempt.
    func readerToken(of request: Request) -> ReaderToken? {
        Self.nonEmpty(request.headers[.xPollToken]).map(ReaderToken.init) ?? attemptToken(of: request)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
