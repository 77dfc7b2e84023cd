import EmulatorSupport
import Hummingbird

/// Kakao's shapes around the routes: kauth errors on `/oauth/*`, kapi errors elsewhere, the
/// faultable paths of both hosts.
struct KakaoAnswers: EmulatorAnswers {
    /// Which of Kakao's two hosts a faultable path belongs to, which decides the error shapes.
    enum Surface {
        case kauth
        case kapi
    }

    func faultSurface(path: String) -> Surface? {
        switch path {
        case EmulatorRoute.token.path: .kauth
        case EmulatorRoute.userMe.path, EmulatorRoute.accessTokenInfo.path, EmulatorRoute.logout.path, EmulatorRoute.unlink.path: .kapi
        default: nil
        }
    }

    /// kauth: `500` KOE003 or a proxy's `502` page; kapi: `503` -9798, `400` -1 or the `502` page.
    func serverError(_ surface: Surface, round: Int) -> Response {
        switch surface {
        case .kauth: round % 2 == 0 ? KakaoResponses.kauth(.serverError) : KakaoResponses.proxyErrorPage
        case .kapi: [KakaoResponses.kapi(.underMaintenance), KakaoResponses.kapi(.internalError), KakaoResponses.proxyErrorPage][round % 3]
        }
    }

    /// kapi `400` -10, kauth KOE237.
    func quotaError(_ surface: Surface) -> Response {
        switch surface {
        case .kauth: KakaoResponses.kauth(.rateLimited(status: 400))
        case .kapi: KakaoResponses.kapi(.quotaExceeded)
        }
    }

    func httpError(_ error: HTTPError, request: Request) -> Response {
        let status = Int(error.status.code)
        return request.uri.path.hasPrefix("/oauth/")
            ? KakaoResponses.kauth(.badRequest("not found or method not allowed", status: status))
            : KakaoResponses.kapi(status == 404 ? .notFound : .invalidParameter("bad request", status: status))
    }

    func internalError(_ surface: Surface?) -> Response {
        surface.map { serverError($0, round: 0) } ?? KakaoResponses.kapi(KapiError(status: 500, code: -1, msg: "internal error."))
    }

    func json(_ text: String, status: Int) -> Response {
        KakaoResponses.json(text, status: status)
    }

    func controlFailure(_ message: String) -> Response {
        KakaoResponses.kauth(.badRequest(message))
    }
}
