import HTTPTypes
import Hummingbird

/// Builds an emulator's router: ``EmulatorMiddleware`` in front of everything, and every
/// `/_emulator/*` route (``ControlRoute``) in one group behind ``LoopbackOnlyMiddleware``.
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

    /// Serves `method path` (a provider's path, not a control one).
    package func add(_ path: String, method: HTTPRequest.Method, _ handler: @escaping Handler) {
        precondition(!path.hasPrefix(LoopbackOnlyMiddleware.controlPrefix), "control routes go through addControlRoutes")
        router.on(RouterPath(path), method: method, use: handler)
    }

    /// Serves one control route of this emulator's own (`/_emulator/…`) in the loopback-only group.
    package func addControlRoute(_ path: String, method: HTTPRequest.Method, _ handler: @escaping Handler) {
        precondition(path.hasPrefix(LoopbackOnlyMiddleware.controlPrefix), "a control route's path starts with /_emulator/")
        control.on(RouterPath(path), method: method, use: handler)
    }

    /// Serves every ``ControlRoute`` in the loopback-only group: the shared handlers, and the
    /// emulator's own `codes` and `stats`.
    package func addControlRoutes<Answers>(_ shared: ControlRoutes<Answers>, codes: @escaping Handler, stats: @escaping Handler) {
        for route in ControlRoute.allCases {
            let handler: Handler =
                switch route {
                case .codes: codes
                case .stats: stats
                case .elapsed: shared.elapsed
                case .faults, .setFaults: shared.faults
                case .clock: shared.clock
                case .rotateKey: shared.rotateKey
                }
            control.on(RouterPath(route.path), method: route.method, use: handler)
        }
    }
}
