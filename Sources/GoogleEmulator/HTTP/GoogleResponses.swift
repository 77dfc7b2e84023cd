import EmulatorSupport
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers in Google's formats: pretty-printed JSON with `application/json; charset=utf-8`,
/// OAuth errors as `{"error", "error_description"}`, the token endpoint's no-cache headers,
/// and the HTML pages of Google's front ends (`Error 404 (Not Found)!!1`, `502. That's an error.`).
enum GoogleResponses {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON answer; `headers` adds to the content type.
    static func json(_ text: String, status: Int = 200, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = jsonContentType
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The token endpoint's headers on every answer that may carry a token.
    static let noCache: HTTPFields = [
        .cacheControl: "no-cache, no-store, max-age=0, must-revalidate", HTTPField.Name("Pragma")!: "no-cache",
    ]

    /// An OAuth error (`{"error", "error_description"}`, pretty-printed like Google's).
    static func oauth(_ error: OAuthError) -> Response {
        var object = JSONObjectWriter(pretty: true)
        object.add("error", error.error)
        object.add("error_description", ifPresent: error.description)
        var headers = noCache
        if error.status == 401, let challenge = error.challenge { headers[.wwwAuthenticate] = challenge }
        return json(object.finish(), status: error.status, headers: headers)
    }

    /// A Google API error (`{"error": {"code", "message", "status"}}`), as googleapis.com answers.
    static func apiError(status: Int, message: String, statusName: String) -> Response {
        var inner = JSONObjectWriter()
        inner.add("code", status)
        inner.add("message", message)
        inner.add("status", statusName)
        var object = JSONObjectWriter(pretty: true)
        object.add("error", json: inner.finish())
        return json(object.finish(), status: status)
    }

    /// An HTML page.
    static func html(_ text: String, status: Int = 200) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "text/html; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// `302 Found` to `location`.
    static func redirect(to location: String, setCookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-cache, no-store, max-age=0, must-revalidate"]
        if let setCookie { headers[.setCookie] = setCookie }
        return Response(status: .found, headers: headers)
    }

    /// The page Google's front end answers for a path nobody serves (`path` given) or another
    /// HTTP error: `Error 404 (Not Found)!!1`.
    static func frontEndPage(status: Int, path: String? = nil, message: String? = nil) -> Response {
        let reason =
            switch status {
            case 400: "Bad Request"
            case 403: "Forbidden"
            case 404: "Not Found"
            case 405: "Method Not Allowed"
            case 413: "Request Entity Too Large"
            case 429: "Too Many Requests"
            case 502: "Bad Gateway"
            case 503: "Service Unavailable"
            default: "Error"
            }
        let detail =
            message ?? path.map { "The requested URL <code>\(HTMLText.escape($0))</code> was not found on this server." }
            ?? "Your client has issued a malformed or illegal request."
        return html(
            """
            <!DOCTYPE html>
            <html lang=en>
              <meta charset=utf-8>
              <title>Error \(status) (\(reason))!!1</title>
              <p><b>\(status).</b> <ins>That’s an error.</ins>
              <p>\(detail) <ins>That’s all we know.</ins>
            """,
            status: status
        )
    }

    /// The `502`/`503` pages of an outage.
    static func outagePage(status: Int) -> Response {
        frontEndPage(
            status: status,
            message: "The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds."
        )
    }

    /// The rate-limit page ("automated queries"): no JSON body was ever documented.
    static func quotaPage(status: Int) -> Response {
        frontEndPage(
            status: status,
            message:
                "We're sorry... but your computer or network may be sending automated queries. To protect our users, we can't process your request right now."
        )
    }
}

/// One OAuth error answer of the token, revoke or tokeninfo endpoints.
struct OAuthError: Error {
    let status: Int
    let error: String
    /// Nil for `internal_failure`, which Google sends without one.
    let description: String?
    /// `WWW-Authenticate` of a 401.
    var challenge: String?

    static func invalidRequest(_ description: String) -> Self { Self(status: 400, error: "invalid_request", description: description) }
    static func invalidGrant(_ description: String) -> Self { Self(status: 400, error: "invalid_grant", description: description) }
    static func unsupportedGrantType(_ value: String?) -> Self {
        Self(status: 400, error: "unsupported_grant_type", description: "Invalid grant_type: \(value ?? "")")
    }
    static let redirectURIMismatch = Self(status: 400, error: "redirect_uri_mismatch", description: "Bad Request")
    static let clientNotFound = Self(status: 401, error: "invalid_client", description: "The OAuth client was not found.")
    static let wrongSecret = Self(status: 401, error: "invalid_client", description: "Unauthorized")
    static let noClientID = invalidRequest("Could not determine client ID from request.")
    static let missingSecret = invalidRequest("client_secret is missing.")
    static let unauthorizedClient = Self(status: 401, error: "unauthorized_client", description: "Unauthorized")
    static let internalFailure = Self(status: 500, error: "internal_failure", description: nil)
    static let invalidCredentials = Self(
        status: 401,
        error: "invalid_request",
        description: "Invalid Credentials",
        challenge: #"Bearer realm="https://accounts.google.com/", error="invalid_token""#
    )
    static let invalidTokenValue = Self(status: 400, error: "invalid_token", description: "Invalid Value")
    static let tokenExpiredOrRevoked = Self(status: 400, error: "invalid_token", description: "Token expired or revoked")
}
