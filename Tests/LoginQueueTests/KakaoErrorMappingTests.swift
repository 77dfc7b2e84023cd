import KakaoAPI
import Testing

@testable import LoginQueue

/// Kakao's problems, classes and deliveries become the queue's in one place, each value mapped
/// on purpose (DESIGN.md's failure reasons).
@Suite("Kakao errors in the queue's terms")
struct KakaoErrorMappingTests {
    static let expected: [KakaoProblem: LoginFailureCode] = [
        .grantRejected: .authorizationCodeInvalid,
        .redirectURIMismatch: .redirectURIMismatch,
        .appMisconfigured: .kakaoClientMisconfigured,
        .consentMissing: .consentRequired,
        .accountRestricted: .kakaoAccountRestricted,
        .rateLimited: .kakaoRateLimited,
        .unavailable: .kakaoUnavailable,
        .requestRefused: .internalError,
        .idTokenInvalid: .idTokenInvalid,
    ]

    @Test("every Kakao problem has its failure code", arguments: KakaoProblem.allCases)
    func problem(_ problem: KakaoProblem) throws {
        #expect(KakaoLoginProvider.failureCode(problem) == Self.expected[problem])
    }

    @Test("retry classes and deliveries keep their meaning")
    func classesAndDeliveries() {
        #expect(KakaoLoginProvider.retryClass(.retryable) == .retryable)
        #expect(KakaoLoginProvider.retryClass(.rateLimited) == .rateLimited)
        #expect(KakaoLoginProvider.retryClass(.terminal) == .terminal)
        #expect(KakaoLoginProvider.delivery(.notSent) == .notSent)
        #expect(KakaoLoginProvider.delivery(.unknown) == .unknown)
        #expect(KakaoLoginProvider.delivery(.responded) == .responded)
    }

    @Test("giving up on retries ends with Kakao's own codes")
    func exhaustedRetries() {
        let codes = KakaoLoginProvider.exhaustedRetries
        #expect(codes.code(after: .retryable) == .kakaoUnavailable)
        #expect(codes.code(after: .rateLimited) == .kakaoRateLimited)
        #expect(codes.code(after: .terminal) == nil)
    }
}
