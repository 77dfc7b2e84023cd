import GoogleAPI
import GoogleEmulator
import Testing

@Suite("Google client against injected faults")
struct FaultHandlingTests {
    @Test func serverErrorsAreRetryable() async throws {
        try await Harness.run { h in
            let code = try h.code()
            _ = try await h.client.discovery()  // discovery and keys are never faulted; the token endpoint is
            try h.emulator.setFaults(.init(errorRate: 1))
            var seen: Set<String> = []
            for _ in 0..<3 {
                let error = try #require(
                    await h.expectError {
                        try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                    }
                )
                #expect(error.errorClass == .retryable)
                #expect(error.problem == .unavailable)
                seen.insert("\(error.kind) \(error.googleError?.rawValue ?? "-") \(error.httpStatus ?? 0) \(error.delivery.rawValue)")
            }
            #expect(
                seen == [
                    "google_error internal_failure 500 responded", "unexpected_response - 502 unknown", "unexpected_response - 503 unknown",
                ]
            )
            try h.emulator.setFaults(.none)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            try h.emulator.setFaults(.init(errorRate: 1))
            let userInfo = try #require(await h.expectError { try await h.client.userInfo(accessToken: tokens.accessToken) })
            #expect(userInfo.kind == .googleError, "userinfo's 503 is Google's API error shape")
            #expect(userInfo.httpStatus == 503)
            #expect(userInfo.googleError == nil)
            #expect(userInfo.errorClass == .retryable)
        }
    }

    @Test func quotaIsRateLimited() async throws {
        try await Harness.run { h in
            let tokens = try await h.tokens(accessType: "offline")
            try h.emulator.setFaults(.init(quotaRate: 1))
            let refreshToken = try #require(tokens.refreshToken)
            let token = try #require(await h.expectError { try await h.client.refresh(refreshToken: refreshToken) })
            #expect(token.httpStatus == 429)
            #expect(token.problem == .rateLimited)
            #expect(token.errorClass == .rateLimited)
            #expect(token.kind == .unexpectedResponse)
            let userInfo = try #require(await h.expectError { try await h.client.userInfo(accessToken: tokens.accessToken) })
            #expect(userInfo.errorClass == .rateLimited)
        }
    }

    @Test func timeoutIsUnknownDeliveryAndTheCodeSurvives() async throws {
        try await Harness.run { h in
            let code = try h.code()
            // Long enough for the unfaulted discovery on a loaded CI host; the fault never answers.
            let impatient = try h.configuration(readTimeout: .seconds(2))
            try await Harness.withClient(impatient) { client in
                _ = try await client.discovery()
                try h.emulator.setFaults(.init(timeoutRate: 1))
                let error = try #require(
                    await h.expectError {
                        try await client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                    }
                )
                #expect(error.kind == .timedOut)
                #expect(error.delivery == .unknown)
                #expect(error.errorClass == .retryable)
                #expect(error.httpStatus == nil)
            }
            try h.emulator.setFaults(.none)
            // The timeout fault holds the request before any work: the code is still good.
            _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
            #expect(h.emulator.stats.faultsTimeoutTotal == 1)
        }
    }

    @Test func dropAfterWorkConsumesTheCode() async throws {
        try await Harness.run { h in
            let code = try h.code()
            _ = try await h.client.discovery()
            try h.emulator.setFaults(.init(dropRate: 1))
            let error = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                }
            )
            #expect(error.delivery == .unknown)
            #expect(error.errorClass == .retryable)
            #expect(error.httpStatus == nil)
            try h.emulator.setFaults(.none)
            let second = try #require(
                await h.expectError {
                    try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                }
            )
            #expect(second.googleError == .invalidGrant, "the dropped request did the work: the code was presented")
            #expect(h.emulator.stats.codesPresentedMoreThanOnce == 1)
        }
    }

    @Test func latencyStillAnswers() async throws {
        try await Harness.run { h in
            try h.emulator.setFaults(.init(latencyMs: 20, jitterMs: 10))
            _ = try await h.tokens()
        }
    }

    @Test func connectFailureIsCertainlyNotSent() async throws {
        let configuration = try GoogleClientConfiguration(
            clientID: Harness.clientID,
            clientSecret: Harness.clientSecret,
            issuerURL: "http://127.0.0.1:1",
            connectTimeout: .milliseconds(500)
        )
        try await Harness.withClient(configuration) { client in
            let error = try #require(
                await Harness.expectError { try await client.exchangeCode("4/0Ac", redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.kind == .connectFailed)
            #expect(error.operation == .discovery, "the endpoints come from discovery, which failed first")
            #expect(error.delivery == .notSent)
            #expect(error.errorClass == .retryable)
        }
    }

    @Test func cancellationIsCancelled() async throws {
        try await Harness.run { h in
            let code = try h.code()
            _ = try await h.client.discovery()
            try h.emulator.setFaults(.init(timeoutRate: 1))
            let call = Task { () async -> GoogleAPIError? in
                do throws(GoogleAPIError) {
                    _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: Harness.verifier)
                    return nil
                } catch {
                    return error
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            call.cancel()
            let error = try #require(await call.value)
            #expect(error.kind == .cancelled)
            #expect(error.delivery != .responded)

            let cancelledBefore = Task { () async -> GoogleAPIError? in
                withUnsafeCurrentTask { $0?.cancel() }
                do throws(GoogleAPIError) {
                    _ = try await h.client.userInfo(accessToken: "ya29.x")
                    return nil
                } catch {
                    return error
                }
            }
            let before = try #require(await cancelledBefore.value)
            #expect(before.kind == .cancelled)
            #expect(before.delivery == .notSent)
            try h.emulator.setFaults(.none)
        }
    }
}
