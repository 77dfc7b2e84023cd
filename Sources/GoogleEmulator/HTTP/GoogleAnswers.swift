import EmulatorSupport
import Hummingbird

/// Google's shapes around the routes: which paths a fault may hit, outage and quota pages, the
/// front end's 404 page for unknown paths.
struct GoogleAnswers: EmulatorAnswers {
    /// The backend-facing endpoints, by error shape.
    enum Surface {
        /// Token, revoke, tokeninfo: OAuth JSON errors.
        case oauth
        /// Userinfo: Google API errors.
        case api
    }

    /// Status of the quota page (``GoogleEmulatorConfiguration/Uncertain/quotaStatus``).
    let quotaStatus: Int

    func faultSurface(path: String) -> Surface? {
        if GoogleRoute.userInfoPaths.contains(path) { return .api }
        if GoogleRoute.tokenPaths.contains(path) || GoogleRoute.revokePaths.contains(path) || GoogleRoute.tokenInfoPaths.contains(path) {
            return .oauth
        }
        return nil
    }

    /// In turn: a JSON 500 `internal_failure` (or a 503 API error on userinfo), a 502 page, a 503 page.
    func serverError(_ surface: Surface, round: Int) -> Response {
        switch round % 3 {
        case 0: internalError(surface)
        case 1: GoogleResponses.outagePage(status: 502)
        default: GoogleResponses.outagePage(status: 503)
        }
    }

    func quotaError(_ surface: Surface) -> Response {
        GoogleResponses.quotaPage(status: quotaStatus)
    }

    func httpError(_ error: HTTPError, request: Request) -> Response {
        let status = Int(error.status.code)
        return GoogleResponses.frontEndPage(status: status, path: status == 404 ? request.uri.path : nil)
    }

    func internalError(_ surface: Surface?) -> Response {
        surface == .api
            ? GoogleResponses.apiError(status: 503, message: "The service is currently unavailable.", statusName: "UNAVAILABLE")
            : GoogleResponses.oauth(.internalFailure)
    }

    func json(_ text: String, status: Int) -> Response {
        GoogleResponses.json(text, status: status)
    }

    func controlFailure(_ message: String) -> Response {
        GoogleResponses.oauth(.invalidRequest(message))
    }
}
