import OpenAPIRuntime

extension LoginClient {
    /// Long-polls `GET /auth/{provider}/login/{login_id}` (25 seconds at a time) until the login
    /// is no longer pending or `timeout` passes (the API ends a login within 120 seconds of its
    /// code). A `429` or `503` is waited out as its `Retry-After` says, and a poll that failed to
    /// reach the API is sent again: the tokens of a succeeded login are delivered again to the
    /// same attempt within 60 seconds, so a lost answer does not lose the login.
    public func pollUntilDone(loginID: String, attempt: LoginAttempt, timeout: Duration = .seconds(150)) async throws -> LoginOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let client = client(presenting: attempt)
        while clock.now < deadline {
            let wait = min(25, max(0, Int((deadline - clock.now).components.seconds)))
            let output: Operations.GetLogin.Output
            do {
                output = try await client.getLogin(path: .init(provider: attempt.provider, loginId: loginID), query: .init(wait: wait))
            } catch let error as ClientError where error.response == nil {
                try await Task.sleep(for: .seconds(1))
                continue
            }
            switch output {
            case .ok(let ok):
                switch try ok.body.json {
                case .pending: continue
                case .succeeded(let succeeded): return try Self.outcome(of: succeeded)
                case .failed(let failed): return .failed(failed.error)
                }
            case .conflict(let refused):
                return .failed(try refused.body.json.error)
            case .tooManyRequests(let answer):
                try await Task.sleep(for: .seconds(max(1, answer.headers.retryAfter)))
            case .serviceUnavailable(let answer):
                try await Task.sleep(for: .seconds(max(1, answer.headers.retryAfter)))
            default:
                throw try KakaoLoginError(unexpected: output)
            }
        }
        return .stillPending
    }

    /// A succeeded poll answer as an outcome: tokens, a link, or the status only.
    private static func outcome(of succeeded: Components.Schemas.LoginSucceeded) throws -> LoginOutcome {
        if succeeded.linked == true, let user = succeeded.user {
            return .linked(user.value1)
        }
        guard let accessToken = succeeded.accessToken, let refreshToken = succeeded.refreshToken else {
            return .succeededWithoutTokens
        }
        guard let user = succeeded.user, let isNewUser = succeeded.isNewUser, let expiresIn = succeeded.expiresIn else {
            throw KakaoLoginError(status: 200, code: nil, message: "A succeeded login carried tokens without its user.")
        }
        return .signedIn(
            SignedIn(user: user.value1, isNewUser: isNewUser, accessToken: accessToken, expiresIn: expiresIn, refreshToken: refreshToken)
        )
    }
}
