import HTTPTypes
import Hummingbird

/// CORS for exactly the allowed origins, with credentials (the attempt cookie): preflights of
/// an allowed origin are answered here (`204`), other answers to it carry
/// `Access-Control-Allow-Origin: <origin>` and `Access-Control-Allow-Credentials: true`. Every
/// answer varies on `Origin`. A preflight from any other origin is `403 origin_not_allowed`.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let allowed: AllowedOrigins

    static let allowedMethods = "GET, POST, DELETE"
    static let allowedHeaders = "Content-Type, Authorization, X-Login-Attempt, X-Poll-Token"
    static let exposedHeaders = "X-Request-Id, Retry-After, ETag"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else {
            return Self.varyOnOrigin(try await next(request, context))
        }
        let isAllowed = allowed.allows(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard isAllowed else {
                return Self.varyOnOrigin(APIError(.forbidden, .originNotAllowed, "This origin may not call the API.").response())
            }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = "600"
            return Self.allowCredentials(response, origin: origin)
        }
        let response = try await next(request, context)
        return isAllowed ? Self.allowCredentials(response, origin: origin) : Self.varyOnOrigin(response)
    }

    private static func allowCredentials(_ response: Response, origin: String) -> Response {
        var response = varyOnOrigin(response)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.accessControlExposeHeaders] = exposedHeaders
        return response
    }

    private static func varyOnOrigin(_ response: Response) -> Response {
        var response = response
        if !(response.headers[values: .vary].contains { $0.lowercased().contains("origin") }) {
            response.headers.append(HTTPField(name: .vary, value: "Origin"))
        }
        return response
    }
}
