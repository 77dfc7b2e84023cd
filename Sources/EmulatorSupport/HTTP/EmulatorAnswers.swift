import Hummingbird

/// What differs between the emulators around their routes: which paths a fault may hit, and
/// the provider's shapes for errors, unknown paths and JSON. ``EmulatorMiddleware``,
/// ``LoopbackOnlyMiddleware`` and ``ControlRoutes`` answer through it.
package protocol EmulatorAnswers: Sendable {
    /// A family of faultable paths that share error shapes (Kakao's kauth and kapi hosts).
    associatedtype Surface: Sendable

    /// The family of a backend-facing path; nil for paths that are never faulted.
    func faultSurface(path: String) -> Surface?

    /// The `errorRate` answers, in turn by `round`.
    func serverError(_ surface: Surface, round: Int) -> Response

    /// The `quotaRate` answer.
    func quotaError(_ surface: Surface) -> Response

    /// What an `HTTPError` thrown by the router becomes: a path nobody serves (404, also what a
    /// control path answers a non-loopback peer), a wrong method, a body over the limit.
    func httpError(_ error: HTTPError, request: Request) -> Response

    /// What an unexpected error of a handler becomes (never a bare 500).
    func internalError(_ surface: Surface?) -> Response

    /// A JSON answer with the provider's content type.
    func json(_ text: String, status: Int) -> Response

    /// A `/_emulator/*` request that cannot be obeyed (bad JSON, values out of range): a 400.
    func controlFailure(_ message: String) -> Response
}
