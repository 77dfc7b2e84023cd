import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import Synchronization

/// `/_emulator/*`: what tests, the demo and the benchmarks use to drive the emulator
/// (loopback peers only, enforced by ``EmulatorMiddleware``).
struct ControlRoutes {
    let core: EmulatorCore

    /// The body of `POST /_emulator/codes`; every member optional.
    private struct CodeRequest: Decodable {
        var clientID: String?
        var redirectURI: String?
        var userID: UserID?
        var scope: String?
        var codeChallenge: String?
        var codeChallengeMethod: String?
        var nonce: String?

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case redirectURI = "redirect_uri"
            case userID = "user_id"
            case scope
            case codeChallenge = "code_challenge"
            case codeChallengeMethod = "code_challenge_method"
            case nonce
        }
    }

    /// A user id given as a JSON integer or a string of digits, exact to 64 bits.
    private struct UserID: Decodable {
        let value: Int64
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                value = number
            } else if let number = Int64(try container.decode(String.self)) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 64-bit integer")
            }
        }
    }

    private struct ClockRequest: Decodable {
        var advanceSeconds: Int
        enum CodingKeys: String, CodingKey { case advanceSeconds = "advance_seconds" }
    }

    /// `POST /_emulator/codes`: a code as if the user had consented to everything asked.
    func codes(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await decode(CodeRequest.self, from: request) else {
            return failure("the body must be a JSON object: client_id, redirect_uri, user_id, scope, code_challenge, nonce")
        }
        let clientID = body.clientID ?? core.configuration.apps[0].restAPIKey
        let validated = AuthorizationRequest.validate(
            clientID: clientID,
            redirectURI: body.redirectURI ?? core.appsByClientID[clientID]?.redirectURIs.first,
            responseType: .none,
            scope: body.scope,
            state: nil,
            nonce: body.nonce,
            codeChallenge: body.codeChallenge,
            codeChallengeMethod: body.codeChallengeMethod ?? (body.codeChallenge == nil ? nil : "S256"),
            prompt: nil,
            apps: core.appsByClientID
        )
        let authorization: AuthorizationRequest
        switch validated {
        case .success(let value): authorization = value
        case .failure(let failure): return self.failure(failure.message, code: failure.code)
        }
        let userID = body.userID?.value ?? core.makeSyntheticUserID()
        let code = core.issueCode(for: authorization, userID: userID, grantedItems: Set(authorization.requestedItems.map(\.id)))
        var answer = JSONObjectWriter()
        answer.add("code", code)
        answer.add("user_id", userID)
        return KakaoResponses.json(answer.finish())
    }

    /// `GET /_emulator/stats`.
    func stats(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        KakaoResponses.json(core.counters.snapshot.json)
    }

    /// Most ids one `GET /_emulator/elapsed` may ask for.
    static let maximumElapsedIDs = 1000

    /// `GET /_emulator/elapsed?user_ids=1,2,3`: the time the emulator spent on each user's
    /// backend calls (see ``ElapsedLedger``), as `{"elapsed_ms": {"1": 12.345}, "calls": {"1": 2}}`;
    /// users with no attributed call are absent.
    func elapsed(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        let text = request.uri.queryParameters.get("user_ids") ?? ""
        let parts = text.split(separator: ",", omittingEmptySubsequences: true)
        let ids = parts.compactMap { Int64($0) }
        guard ids.count == parts.count, ids.count <= Self.maximumElapsedIDs else {
            return failure("user_ids must be up to \(Self.maximumElapsedIDs) comma-separated integers")
        }
        let entries = core.elapsed.entries(for: ids).sorted { $0.key < $1.key }
        var milliseconds = JSONObjectWriter()
        var calls = JSONObjectWriter()
        for (id, entry) in entries {
            milliseconds.add(String(id), (entry.milliseconds * 1000).rounded() / 1000)
            calls.add(String(id), entry.calls)
        }
        var answer = JSONObjectWriter()
        answer.add("elapsed_ms", json: milliseconds.finish())
        answer.add("calls", json: calls.finish())
        return KakaoResponses.json(answer.finish())
    }

    /// `GET /_emulator/faults` answers the faults in force; `POST` replaces them (`{}`: none).
    func faults(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        if request.method == .post {
            guard let faults = await decode(KakaoEmulatorFaults.self, from: request) else {
                return failure("the body must be a JSON object of fault settings")
            }
            do {
                try faults.validate()
            } catch {
                return failure(error.message)
            }
            core.faults.withLock { $0 = faults }
        }
        return KakaoResponses.json(core.faults.withLock { $0 }.json)
    }

    /// `POST /_emulator/clock` `{"advance_seconds": N}`: moves the emulated clock (back when
    /// negative), so tests reach code, token and rate-limit expiry without sleeping.
    func clock(_ request: Request, _ context: EmulatorRequestContext) async -> Response {
        guard let body = await decode(ClockRequest.self, from: request) else {
            return failure("the body must be {\"advance_seconds\": N}")
        }
        core.advanceClock(seconds: body.advanceSeconds)
        var answer = JSONObjectWriter()
        answer.add("now", Int64(core.now))
        return KakaoResponses.json(answer.finish())
    }

    /// `POST /_emulator/keys/rotate`: a new ID-token signing key (the old one stays in the JWKS).
    func rotateKey(_ request: Request, _ context: EmulatorRequestContext) -> Response {
        do {
            try core.signer.rotate()
        } catch {
            return failure("key generation failed")
        }
        var answer = JSONObjectWriter()
        answer.add("kid", core.signer.currentKID)
        return KakaoResponses.json(answer.finish())
    }

    /// Decodes a JSON body; an empty body counts as `{}`.
    private func decode<T: Decodable>(_ type: T.Type, from request: Request) async -> T? {
        guard let body = try? await request.body.collect(upTo: KakaoResponses.maxBodyBytes) else { return nil }
        return try? JSONDecoder().decode(T.self, from: body.readableBytes == 0 ? ByteBuffer(string: "{}") : body)
    }

    private func failure(_ message: String, code: String = "KOE001") -> Response {
        KakaoResponses.kauth(KauthError(status: 400, error: "invalid_request", code: code, description: message))
    }
}
