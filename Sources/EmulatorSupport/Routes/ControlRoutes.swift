import Hummingbird

/// The `/_emulator/*` handlers both emulators have: faults, clock, key rotation and the
/// per-user elapsed times (loopback peers only: they are routed through ``EmulatorRouterBuilder``).
package struct ControlRoutes<Answers: EmulatorAnswers>: Sendable {
    let runtime: EmulatorRuntime
    let keys: RS256KeySet
    let answers: Answers
    /// Whether a `user_ids` entry of `/_emulator/elapsed` is an id of this provider.
    let isUserID: @Sendable (Substring) -> Bool

    package init(runtime: EmulatorRuntime, keys: RS256KeySet, answers: Answers, isUserID: @escaping @Sendable (Substring) -> Bool) {
        self.runtime = runtime
        self.keys = keys
        self.answers = answers
        self.isUserID = isUserID
    }

    private struct ClockRequest: Decodable {
        var advanceSeconds: Int
        enum CodingKeys: String, CodingKey { case advanceSeconds = "advance_seconds" }
    }

    /// Most ids one `GET /_emulator/elapsed` may ask for.
    package static var maximumElapsedIDs: Int { 1000 }

    /// `GET /_emulator/elapsed?user_ids=1,2,3`: the time the emulator spent on each user's
    /// backend calls (see ``ElapsedLedger``), as `{"elapsed_ms": {"1": 12.345}, "calls": {"1": 2}}`;
    /// users with no attributed call are absent.
    package func elapsed(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        let text = request.uri.queryParameters.get("user_ids") ?? ""
        let ids = text.split(separator: ",", omittingEmptySubsequences: true)
        guard ids.allSatisfy(isUserID), ids.count <= Self.maximumElapsedIDs else {
            return answers.controlFailure("user_ids must be up to \(Self.maximumElapsedIDs) comma-separated user ids")
        }
        let entries = runtime.elapsed.entries(for: ids.map(String.init)).sorted { $0.key < $1.key }
        var milliseconds = JSONObjectWriter()
        var calls = JSONObjectWriter()
        for (id, entry) in entries {
            milliseconds.add(id, (entry.milliseconds * 1000).rounded() / 1000)
            calls.add(id, entry.calls)
        }
        var answer = JSONObjectWriter()
        answer.add("elapsed_ms", json: milliseconds.finish())
        answer.add("calls", json: calls.finish())
        return answers.json(answer.finish(), status: 200)
    }

    /// `GET /_emulator/faults` answers the faults in force; `POST` replaces them (`{}`: none).
    package func faults(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        if request.method == .post {
            guard let faults = await JSONBody.decode(EmulatorFaults.self, from: request) else {
                return answers.controlFailure("the body must be a JSON object of fault settings")
            }
            do {
                try runtime.setFaults(faults)
            } catch {
                return answers.controlFailure(error.message)
            }
        }
        return answers.json(runtime.currentFaults.json, status: 200)
    }

    /// `POST /_emulator/clock` `{"advance_seconds": N}`: moves the emulated clock (back when
    /// negative), so tests reach code and token expiry without sleeping.
    package func clock(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await JSONBody.decode(ClockRequest.self, from: request) else {
            return answers.controlFailure("the body must be {\"advance_seconds\": N}")
        }
        runtime.clock.advance(seconds: body.advanceSeconds)
        var answer = JSONObjectWriter()
        answer.add("now", Int64(runtime.now))
        return answers.json(answer.finish(), status: 200)
    }

    /// `POST /_emulator/keys/rotate`: a new signing key (the old ones stay in the key set).
    package func rotateKey(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        do {
            try keys.rotate()
        } catch {
            return answers.controlFailure("key generation failed")
        }
        var answer = JSONObjectWriter()
        answer.add("kid", keys.currentKID)
        answer.add("published", strings: keys.publishedKIDs)
        return answers.json(answer.finish(), status: 200)
    }
}
