import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

private let elapsedHeaderName = HTTPField.Name("X-Emulator-Elapsed-Ms")!

/// The one middleware in front of every route of an emulator:
/// - stamps `X-Emulator-Elapsed-Ms` (time spent inside the emulator, injected latency included)
///   on every answer, and adds it to the ``ElapsedLedger`` of the user the request acted for;
/// - injects faults on the backend-facing paths (see ``EmulatorFaults``);
/// - turns anything a handler or the router throws into the provider's shape, never a bare 500.
///
/// `/_emulator/*` is guarded where its routes are matched (``LoopbackOnlyMiddleware``).
package struct EmulatorMiddleware<Answers: EmulatorAnswers>: RouterMiddleware {
    package typealias Context = EmulatorRequestContext

    /// The header load tests subtract.
    package static var elapsedHeader: HTTPField.Name { elapsedHeaderName }

    /// Longest a timeout fault holds a request open if the client never gives up.
    static var maximumHold: TimeAmount { .minutes(10) }

    let runtime: EmulatorRuntime
    let answers: Answers

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = NIODeadline.now()
        runtime.counters.bump(\.requests)
        runtime.counters.countRequest(toPath: request.uri.path)
        let surface = answers.faultSurface(path: request.uri.path)
        var response: Response
        if let surface, case let faults = runtime.currentFaults, !faults.isNone {
            guard let faulted = await applyFaults(faults, surface: surface, request: request, context: context, next: next) else {
                return Response(status: .noContent)  // the connection is closed: nothing is written
            }
            response = faulted
        } else {
            response = await answer(request, context: context, next: next, surface: surface)
        }
        let micros = max(0, (NIODeadline.now() - started).nanoseconds / 1000)
        response.headers[Self.elapsedHeader] = Self.milliseconds(micros: micros)
        if let user = context.attribution.user {
            runtime.elapsed.add(userID: user, milliseconds: Double(micros) / 1000, now: runtime.now)
        }
        return response
    }

    /// Latency first, then at most one rated fault. Nil when the connection was closed instead.
    private func applyFaults(
        _ faults: EmulatorFaults,
        surface: Answers.Surface,
        request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async -> Response? {
        let counters = runtime.counters
        let delay = faults.latencyMs + (faults.jitterMs > 0 ? Int.random(in: 0...faults.jitterMs) : 0)
        if delay > 0 {
            counters.bump(\.faultsLatency)
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
            counters.bump(\.faultsTimeout)
            await Self.hold(context.channel)
            return nil
        }
        if hit(faults.dropRate) {
            counters.bump(\.faultsDrop)
            _ = await answer(request, context: context, next: next, surface: surface)
            try? await context.channel.close()
            return nil
        }
        if hit(faults.errorRate) {
            counters.bump(\.faultsError)
            return answers.serverError(surface, round: Int(runtime.faultRound.next() - 1))
        }
        if hit(faults.quotaRate) {
            counters.bump(\.faultsQuota)
            return answers.quotaError(surface)
        }
        return await answer(request, context: context, next: next, surface: surface)
    }

    /// Runs the route; a thrown error becomes an answer in the provider's shape.
    private func answer(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response,
        surface: Answers.Surface?
    ) async -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            return answers.httpError(error, request: request)
        } catch {
            context.logger.error("emulator route failed", metadata: ["emulator.error_type": "\(type(of: error))"])
            return answers.internalError(surface)
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

    /// Decimal milliseconds with microsecond precision, e.g. `0.153`.
    package static func milliseconds(micros: Int64) -> String {
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
