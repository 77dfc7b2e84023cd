import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix

/// A synthetic browser: a keep-alive connection to the API and one to the provider's emulator,
/// and the flow of DESIGN.md — `POST /auth/{provider}/start`; the consent (Kakao's) or account
/// chooser (Google's), stood in for by `POST /_emulator/codes` with the authorize URL's client
/// id, redirect URI, scope, PKCE challenge and nonce for a fresh synthetic user;
/// `POST /auth/{provider}/login {code, state}` with `X-Login-Attempt`;
/// `GET /auth/{provider}/login/{id}?wait=N` until the login is no longer pending.
/// A login succeeds only when its answer carries an access token (the first read mints them).
///
/// Each login comes from its own client address, sent as `X-Forwarded-For` (the API counts it
/// when it trusts the bench's address as a proxy): many users, not one busy address, as the
/// API's per-address limits and pending-attempt cap see it.
struct LoginBrowser: Sendable {
    let api: HTTPConnection
    let emulator: HTTPConnection
    let apiEndpoint: BenchEndpoint
    let emulatorEndpoint: BenchEndpoint
    /// The `{provider}` of the routes.
    let provider: BenchProvider
    /// `wait` of each long-poll, seconds.
    let waitSeconds: Int

    /// Opens both connections on `loop`; a request gets `timeout` to be answered (a long-poll,
    /// its `wait` more).
    static func open(
        api: BenchEndpoint,
        emulator: BenchEndpoint,
        provider: BenchProvider,
        waitSeconds: Int,
        timeout: TimeAmount,
        on loop: any EventLoop
    ) async throws -> LoginBrowser {
        let apiConnection = try await HTTPConnection.open(
            host: api.host,
            port: api.port,
            timeout: .seconds(Int64(waitSeconds)) + timeout,
            on: loop
        )
        do {
            let emulatorConnection = try await HTTPConnection.open(host: emulator.host, port: emulator.port, timeout: timeout, on: loop)
            return LoginBrowser(
                api: apiConnection,
                emulator: emulatorConnection,
                apiEndpoint: api,
                emulatorEndpoint: emulator,
                provider: provider,
                waitSeconds: waitSeconds
            )
        } catch {
            await apiConnection.close()
            throw error
        }
    }

    func close() async {
        await api.close()
        await emulator.close()
    }

    /// Runs one login from start to its final answer, as a client at `clientAddress`.
    /// - Throws: ``HTTPConnection/Failure/timedOut(request:after:)`` when a server stopped
    ///   answering (the browser is closed): the run's figures would mean nothing.
    func login(from clientAddress: String) async throws -> LoginSample {
        var sample = LoginSample()
        var step = "start"
        let decoder = JSONDecoder()
        let encoder = JSONEncoder()
        func refused(_ answer: LoadResponse) -> LoginSample.Outcome {
            let code = (try? decoder.decode(ErrorAnswer.self, from: answer.body))?.error.code
            return .failed("\(step):http_\(answer.status)" + (code.map { ":" + $0 } ?? ""))
        }
        do {
            let client = [("X-Forwarded-For", clientAddress)]
            let start = try await api.send(
                .json("/auth/\(provider.rawValue)/start", host: apiEndpoint.hostHeader, body: "{}", headers: client)
            )
            sample.endedAt = start.receivedAt
            guard start.status == 200, let started = try? decoder.decode(StartAnswer.self, from: start.body) else {
                sample.outcome = refused(start)
                return sample
            }
            sample.startedAt = start.receivedAt
            guard let consent = CodeRequest(authorizeURL: started.authorizeURL) else {
                sample.outcome = .failed("start:authorize_url_unreadable")
                return sample
            }

            step = "codes"
            let minted = try await emulator.send(
                .json(
                    "/_emulator/codes",
                    host: emulatorEndpoint.hostHeader,
                    body: String(decoding: try encoder.encode(consent), as: UTF8.self)
                )
            )
            sample.endedAt = minted.receivedAt
            guard minted.status == 200, let code = try? decoder.decode(CodeAnswer.self, from: minted.body) else {
                sample.outcome = refused(minted)
                return sample
            }
            sample.userID = code.userID

            step = "login"
            let attempt = client + [("X-Login-Attempt", started.attemptToken)]
            let body = String(decoding: try encoder.encode(LoginBody(code: code.code, state: started.state)), as: UTF8.self)
            let posted = try await api.send(
                .json("/auth/\(provider.rawValue)/login", host: apiEndpoint.hostHeader, body: body, headers: attempt)
            )
            sample.codePostedAt = posted.sentAt
            sample.endedAt = posted.receivedAt
            guard posted.status == 202, let accepted = try? decoder.decode(Accepted.self, from: posted.body) else {
                sample.outcome = refused(posted)
                return sample
            }

            step = "poll"
            let poll = LoadRequest.get(
                "/auth/\(provider.rawValue)/login/\(accepted.loginID)?wait=\(waitSeconds)",
                host: apiEndpoint.hostHeader,
                headers: attempt
            )
            while true {
                let answer = try await api.send(poll)
                sample.endedAt = answer.receivedAt
                guard answer.status == 200, let read = try? decoder.decode(PollAnswer.self, from: answer.body) else {
                    sample.outcome = refused(answer)
                    return sample
                }
                switch read.status {
                case "pending":
                    continue
                case "succeeded":
                    sample.outcome = read.accessToken == nil ? .failed("poll:succeeded_without_tokens") : .succeeded
                case "failed":
                    sample.outcome = .failed("login:failed:\(read.error?.code ?? "unknown")")
                default:
                    sample.outcome = .failed("poll:unknown_status")
                }
                return sample
            }
        } catch HTTPConnection.Failure.timedOut(let request, let after) {
            await close()
            throw HTTPConnection.Failure.timedOut(request: request, after: after)
        } catch {
            sample.endedAt = .now()
            sample.outcome = .connectionLost(step)
            return sample
        }
    }
}

// MARK: - bodies

/// `200` of `POST /auth/{provider}/start`.
private struct StartAnswer: Decodable {
    let authorizeURL: String
    let state: String
    let attemptToken: String
    enum CodingKeys: String, CodingKey {
        case authorizeURL = "authorize_url"
        case state
        case attemptToken = "attempt_token"
    }
}

/// The body of `POST /_emulator/codes`, read from the authorize URL the API built.
private struct CodeRequest: Encodable {
    let clientID: String
    let redirectURI: String
    /// The authorize URL's scope (Google's `openid email profile`), else `openid`.
    let scope: String
    let codeChallenge: String
    let codeChallengeMethod = "S256"
    let nonce: String

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case redirectURI = "redirect_uri"
        case scope
        case codeChallenge = "code_challenge"
        case codeChallengeMethod = "code_challenge_method"
        case nonce
    }

    init?(authorizeURL: String) {
        guard let items = URLComponents(string: authorizeURL)?.queryItems else { return nil }
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        guard let clientID = value("client_id"), let redirectURI = value("redirect_uri"),
            let challenge = value("code_challenge"), let nonce = value("nonce")
        else { return nil }
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scope = value("scope") ?? "openid"
        self.codeChallenge = challenge
        self.nonce = nonce
    }
}

/// `200` of `POST /_emulator/codes`: Kakao's `user_id` is a number, Google's (a `sub`) a string.
private struct CodeAnswer: Decodable {
    let code: String
    let userID: String
    enum CodingKeys: String, CodingKey {
        case code
        case userID = "user_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        if let number = try? container.decode(Int64.self, forKey: .userID) {
            userID = String(number)
        } else {
            userID = try container.decode(String.self, forKey: .userID)
        }
    }
}

/// The body of `POST /auth/{provider}/login`.
private struct LoginBody: Encodable {
    let code: String
    let state: String
}

/// `202` of `POST /auth/{provider}/login`.
private struct Accepted: Decodable {
    let loginID: String
    enum CodingKeys: String, CodingKey { case loginID = "login_id" }
}

/// `200` of `GET /auth/{provider}/login/{id}`: only what the bench checks.
private struct PollAnswer: Decodable {
    struct Failure: Decodable { let code: String }
    let status: String
    let accessToken: String?
    let error: Failure?
    enum CodingKeys: String, CodingKey {
        case status
        case accessToken = "access_token"
        case error
    }
}

/// Any `{"error": {"code": …}}` answer.
private struct ErrorAnswer: Decodable {
    struct Body: Decodable { let code: String }
    let error: Body
}
