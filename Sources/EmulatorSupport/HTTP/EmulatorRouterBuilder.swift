import HTTPTypes
import Hummingbird

/// Builds an emulator's router: ``EmulatorMiddleware`` in front of everything, and every
/// `/_emulator/*` route in one group behind ``LoopbackOnlyMiddleware``.
package struct EmulatorRouterBuilder {
    package typealias Handler = @Sendable (Request, EmulatorRequestContext) async throws -> Response

    /// The router, once every route is added.
    package let router: Router<EmulatorRequestContext>
    private let control: RouterGroup<EmulatorRequestContext>

    package init<Answers: EmulatorAnswers>(runtime: EmulatorRuntime, answers: Answers) {
        router = Router(context: EmulatorRequestContext.self)
        router.add(middleware: EmulatorMiddleware(runtime: runtime, answers: answers))
        control = router.group().add(middleware: LoopbackOnlyMiddleware(counters: runtime.counters))
    }

    /// Serves `method path`; a path under `/_emulator/` goes into the loopback-only group.
    package func add(_ path: String, method: HTTPRequest.Method, _ handler: @escaping Handler) {
        if path.hasPrefix(LoopbackOnlyMiddleware.controlPrefix) {
            control.on(RouterPath(path), method: method, use: handler)
        } else {
            router.on(RouterPath(path), method: method, use: handler)
        }
    }
}
