import EmulatorSupport
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers in Kakao's formats: JSON with `application/json;charset=UTF-8`, kauth errors as
/// `{"error","error_description","error_code"}`, kapi errors as `{"msg","code"}`, HTML pages.
enum KakaoResponses {
    static let jsonContentType = "application/json;charset=UTF-8"

    /// A JSON answer; `noStore` adds `Cache-Control: no-store` (token answers).
    static func json(_ text: String, status: Int = 200, noStore: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: jsonContentType]
        if noStore { headers[.cacheControl] = "no-store" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A kauth error answer.
    static func kauth(_ error: KauthError) -> Response {
        var object = JSONObjectWriter()
        object.add("error", error.error)
        object.add("error_description", error.description)
        object.add("error_code", error.code)
        return json(object.finish(), status: error.status)
    }

    /// A kapi error answer.
    static func kapi(_ error: KapiError) -> Response {
        var object = JSONObjectWriter()
        object.add("msg", error.msg)
        object.add("code", error.code)
        if let scopes = error.scopes {
            object.add("api_type", "USER_ME")
            object.add("required_scopes", strings: scopes.required)
            object.add("allowed_scopes", strings: scopes.allowed)
        }
        return json(object.finish(), status: error.status)
    }

    /// An HTML page.
    static func html(_ text: String, status: Int = 200) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "text/html;charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// `302 Found` to `location`.
    static func redirect(to location: String, setCookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        if let setCookie { headers[.setCookie] = setCookie }
        return Response(status: .found, headers: headers)
    }

    /// The `502` page a proxy in front of Kakao answers: HTML, not Kakao's JSON.
    static let proxyErrorPage = html(
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
        status: 502
    )
}

/// One kauth error answer.
struct KauthError: Error {
    let status: Int
    let error: String
    let code: String
    let description: String

    static func invalidCode(_ code: String) -> Self {
        Self(status: 400, error: "invalid_grant", code: "KOE320", description: "authorization code not found for code=\(code)")
    }
    static let redirectURIMismatch = Self(status: 400, error: "invalid_grant", code: "KOE303", description: "Redirect URI mismatch.")
    static let badClientCredentials = Self(status: 401, error: "invalid_client", code: "KOE010", description: "Bad client credentials")
    static func unknownClient(_ clientID: String) -> Self {
        Self(status: 401, error: "invalid_client", code: "KOE101", description: "Not exist client_id [\(clientID)]")
    }
    static let appMismatch = Self(status: 400, error: "invalid_client", code: "KOE114", description: "Application ID mismatch")
    static let missingRefreshToken = Self(status: 400, error: "invalid_grant", code: "KOE319", description: "refresh_token is required")
    static let invalidRefreshToken = Self(
        status: 400,
        error: "invalid_grant",
        code: "KOE322",
        description: "expired_or_invalid_refresh_token"
    )
    static func unsupportedGrantType(_ grantType: String?) -> Self {
        Self(status: 400, error: "unsupported_grant_type", code: "KOE310", description: "unsupported grant_type: \(grantType ?? "")")
    }
    static func rateLimited(status: Int) -> Self {
        Self(status: status, error: "invalid_request", code: "KOE237", description: "token request rate limit exceeded")
    }
    static let serverError = Self(status: 500, error: "server_error", code: "KOE003", description: "temporary server error, retry later")
    static func badRequest(_ reason: String, status: Int = 400) -> Self {
        Self(status: status, error: "invalid_request", code: "KOE001", description: reason)
    }
    static func invalidToken(_ code: String, _ reason: String) -> Self {
        Self(status: 400, error: "invalid_token", code: code, description: reason)
    }
}

/// One kapi error answer.
struct KapiError: Error {
    let status: Int
    let code: Int
    let msg: String
    var scopes: (required: [String], allowed: [String])?

    static func invalidParameter(_ msg: String, status: Int = 400) -> Self { Self(status: status, code: -2, msg: msg) }
    static let tokenDoesNotExist = Self(status: 401, code: -401, msg: "this access token does not exist")
    static let tokenExpired = Self(status: 401, code: -401, msg: "this access token is already expired")
    static let noAuthenticationKey = Self(status: 401, code: -401, msg: "no authentication key!")
    static let invalidAppKey = Self(status: 401, code: -401, msg: "invalid app key.")
    static let notLinked = Self(status: 400, code: -101, msg: "given account is not connected to any app.")
    static func insufficientScopes(required: [String], allowed: [String]) -> Self {
        Self(status: 403, code: -402, msg: "insufficient scopes.", scopes: (required, allowed))
    }
    static let quotaExceeded = Self(status: 400, code: -10, msg: "API limit has been exceeded.")
    static let internalError = Self(status: 400, code: -1, msg: "internal error.")
    static let underMaintenance = Self(status: 503, code: -9798, msg: "service under maintenance.")
    static let notFound = Self(status: 404, code: -9, msg: "unknown api.")

    static func restriction(_ restriction: KakaoEmulatorConfiguration.Restriction) -> Self {
        switch restriction {
        case .sanctioned: Self(status: 403, code: -4, msg: "account is sanctioned.")
        case .dormant: Self(status: 400, code: -103, msg: "dormant or non-existent account.")
        case .ageVerificationRequired: Self(status: 403, code: -405, msg: "required age verification.")
        case .under14: Self(status: 401, code: -406, msg: "under 14 users are not allowed.")
        }
    }
}
