import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The one middleware in front of every route:
/// - stamps `X-Emulator-Elapsed-Ms` (time spent inside the emulator, injected latency included)
///   on every answer, and adds it to the ``ElapsedLedger`` of the user the request acted for;
/// - injects faults on the backend-facing paths (see ``KakaoEmulatorFaults``);
/// - answers `/_emulator/*` only to loopback peers;
/// - turns anything a handler or the router throws into a Kakao-shaped answer, never a bare 500.
struct EmulatorMiddleware: RouterMiddleware {
    typealias Context = EmulatorRequestContext

    /// The header load tests subtract.
    static let elapsedHeader = HTTPField.Name("X-Emulator-Elapsed-Ms")!

    /// Longest a timeout fault holds a request open if the client never gives up.
    static let maximumHold = TimeAmount.minutes(10)

    let core: EmulatorCore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = NIODeadline.now()
        core.counters.bump(\.requests)
        core.counters.countRequest(toPath: request.uri.path)
        let surface = FaultSurface(path: request.uri.path)
        var response: Response
        if request.uri.path.hasPrefix("/_emulator/"), !Self.isLoopback(context.channel.remoteAddress) {
            response = KakaoResponses.kapi(.notFound)
        } else if let surface, case let faults = core.faults.withLock({ $0 }), !faults.isNone {
            guard let faulted = await applyFaults(faults, surface: surface, request: request, context: context, next: next) else {
                return Response(status: .noContent)  // the connection is closed: nothing is written
            }
            response = faulted
        } else {
            response = await Self.answer(request, context: context, next: next, surface: surface)
        }
        let micros = max(0, (NIODeadline.now() - started).nanoseconds / 1000)
        response.headers[Self.elapsedHeader] = Self.milliseconds(micros: micros)
        if let user = context.attribution.user {
            core.elapsed.add(userID: user, milliseconds: Double(micros) / 1000, now: core.now)
        }
        return response
    }

    /// Latency first, then at most one rated fault. Nil when the connection was closed instead.
    private func applyFaults(
        _ faults: KakaoEmulatorFaults,
        surface: FaultSurface,
        request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async -> Response? {
        let delay = faults.latencyMs + (faults.jitterMs > 0 ? Int.random(in: 0...faults.jitterMs) : 0)
        if delay > 0 {
            core.counters.bump(\.faultsLatency)
            // A timer on the connection's own event loop: a heap entry there, where a Task.sleep
            // costs a dispatch timer and a thread wake-up (hundreds of held requests at a time).
            try? await context.channel.eventLoop.scheduleTask(in: .milliseconds(Int64(delay))) {}.futureResult.get()
        }
        var draw = Double.random(in: 0..<1)
        func hit(_ rate: Double) -> Bool {
            defer { draw -= rate }
            return draw < rate
        }
        if hit(faults.timeoutRate) {
            core.counters.bump(\.faultsTimeout)
            await Self.hold(context.channel)
            return nil
        }
        if hit(faults.dropRate) {
            core.counters.bump(\.faultsDrop)
            _ = await Self.answer(request, context: context, next: next, surface: surface)
            try? await context.channel.close()
            return nil
        }
        if hit(faults.errorRate) {
            core.counters.bump(\.faultsError)
            return surface.serverError(round: core.nextFaultRound())
        }
        if hit(faults.quotaRate) {
            core.counters.bump(\.faultsQuota)
            return surface.quotaError
        }
        return await Self.answer(request, context: context, next: next, surface: surface)
    }

    /// Runs the route; a thrown error becomes an answer in the path's error shape.
    private static func answer(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response,
        surface: FaultSurface?
    ) async -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            return request.uri.path.hasPrefix("/oauth/")
                ? KakaoResponses.kauth(.badRequest("not found or method not allowed", status: status))
                : KakaoResponses.kapi(status == 404 ? .notFound : .invalidParameter("bad request", status: status))
        } catch {
            context.logger.error("emulator route failed", metadata: ["emulator.error_type": "\(type(of: error))"])
            return surface?.serverError(round: 0) ?? KakaoResponses.kapi(KapiError(status: 500, code: -1, msg: "internal error."))
        }
    }

    /// Keeps a request unanswered until the client closes, the emulator stops, or
    /// ``maximumHold`` passes; then closes the connection.
    private static func hold(_ channel: any Channel) async {
        let timer = channel.eventLoop.scheduleTask(in: maximumHold) { channel.close(promise: nil) }
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        timer.cancel()
    }

    /// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback peers (and Unix sockets).
    static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4:
            return address?.ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            guard let ip = address?.ipAddress?.lowercased() else { return false }
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        case nil:
            return false
        }
    }

    /// Decimal milliseconds with microsecond precision, e.g. `0.153`.
    static func milliseconds(micros: Int64) -> String {
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// Which of Kakao's two hosts a faultable path belongs to, which decides the error shapes.
enum FaultSurface {
    case kauth
    case kapi

    init?(path: String) {
        switch path {
        case "/oauth/token": self = .kauth
        case "/v2/user/me", "/v1/user/access_token_info", "/v1/user/logout", "/v1/user/unlink": self = .kapi
        default: return nil
        }
    }

    /// The `errorRate` answers, in turn.
    func serverError(round: Int) -> Response {
        switch self {
        case .kauth: round % 2 == 0 ? KakaoResponses.kauth(.serverError) : KakaoResponses.proxyErrorPage
        case .kapi: [KakaoResponses.kapi(.underMaintenance), KakaoResponses.kapi(.internalError), KakaoResponses.proxyErrorPage][round % 3]
        }
    }

    /// The `quotaRate` answer.
    var quotaError: Response {
        switch self {
        case .kauth: KakaoResponses.kauth(.rateLimited(status: 400))
        case .kapi: KakaoResponses.kapi(.quotaExceeded)
        }
    }
}
