import KakaoAPI
import KakaoEmulator
import Testing

@Suite("Client against injected faults")
struct FaultHandlingTests {
    @Test func serverErrorsAreRetryable() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            try h.emulator.setFaults(.init(errorRate: 1))
            var seen: Set<String> = []
            for _ in 0..<2 {
                let error = try #require(
                    await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
                )
                #expect(error.errorClass == .retryable)
                #expect(error.problem == .unavailable)
                seen.insert("\(error.kind) \(error.kakaoCode?.rawValue ?? "-") \(error.httpStatus ?? 0) \(error.delivery.rawValue)")
            }
            #expect(seen == ["kakao_error KOE003 500 responded", "unexpected_response - 502 unknown"])
            try h.emulator.setFaults(.none)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            try h.emulator.setFaults(.init(errorRate: 1))
            var kapi: Set<String> = []
            for _ in 0..<3 {
                let error = try #require(await h.expectError { try await h.client.userMe(accessToken: tokens.accessToken) })
                #expect(error.errorClass == .retryable)
                kapi.insert("\(error.kakaoCode?.rawValue ?? "-") \(error.httpStatus ?? 0)")
            }
            #expect(kapi == ["-9798 503", "-1 400", "- 502"])
            #expect(h.emulator.stats.faultsErrorTotal == 5)
        }
    }

    @Test func quotaErrorsAreRateLimited() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            let tokens = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            try h.emulator.setFaults(.init(quotaRate: 1))
            let me = try #require(await h.expectError { try await h.client.userMe(accessToken: tokens.accessToken) })
            #expect(me.kakaoCode == .quotaExceeded)
            #expect(me.httpStatus == 400)
            #expect(me.errorClass == .rateLimited)
            let token = try #require(await h.expectError { try await h.client.refresh(refreshToken: tokens.refreshToken ?? "") })
            #expect(token.kakaoCode == .koe237)
            #expect(token.errorClass == .rateLimited)
        }
    }

    @Test func timeoutIsUnknownDeliveryAndTheCodeSurvives() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            try h.emulator.setFaults(.init(timeoutRate: 1))
            let impatient = try KakaoClientConfiguration(
                restAPIKey: "emulator-rest-api-key",
                authURL: h.baseURL,
                apiURL: h.baseURL,
                readTimeout: .milliseconds(300)
            )
            let error = try #require(
                await Harness.withClient(impatient) { client in
                    await h.expectError { try await client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
                }
            )
            #expect(error.kind == .timedOut)
            #expect(error.delivery == .unknown)
            #expect(error.errorClass == .retryable)
            #expect(error.httpStatus == nil)
            try h.emulator.setFaults(.none)
            // The timeout fault holds the request before any work: the code is still good.
            _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            #expect(h.emulator.stats.faultsTimeoutTotal == 1)
        }
    }

    @Test func dropAfterWorkConsumesTheCode() async throws {
        try await Harness.run { h in
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            try h.emulator.setFaults(.init(dropRate: 1))
            let error = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(error.delivery == .unknown)
            #expect(error.errorClass == .retryable)
            #expect(error.httpStatus == nil)
            try h.emulator.setFaults(.none)
            let second = try #require(
                await h.expectError { try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil) }
            )
            #expect(second.kakaoCode == .koe320, "the dropped request did the work: the code was presented")
            #expect(h.emulator.stats.codesPresentedMoreThanOnce == 1)
            #expect(h.emulator.stats.faultsDropTotal == 1)
        }
    }

    @Test func latencyStillAnswers() async throws {
        try await Harness.run { h in
            try h.emulator.setFaults(.init(latencyMs: 20, jitterMs: 10))
            let code = try h.emulator.mintCode(userID: 3_141_592_653)
            _ = try await h.client.exchangeCode(code, redirectURI: Harness.redirectURI, codeVerifier: nil)
            #expect(h.emulator.stats.faultsLatencyTotal == 1)
        }
    }

    @Test func connectFailureIsCertainlyNotSent() async throws {
        let configuration = try KakaoClientConfiguration(
            restAPIKey: "k",
            authURL: "http://127.0.0.1:1",
            apiURL: "http://127.0.0.1:1",
            connectTimeout: .milliseconds(500)
        )
        try await Harness.withClient(configuration) { client in
            do throws(KakaoAPIError) {
                _ = try await client.exchangeCode("c", redirectURI: Harness.redirectURI, codeVerifier: nil)
                Issue.record("a closed port answered")
            } catch {
                #expect(error.kind == .connectFailed)
                #expect(error.delivery == .notSent)
                #expect(error.errorClass == .retryable)
            }
        }
    }
}
