import GoogleAPI
import Testing

@testable import LoginQueue

/// Google's problems, classes and deliveries become the queue's in one place, each value mapped
/// on purpose (DESIGN.md's failure reasons).
@Suite("Google errors in the queue's terms")
struct GoogleErrorMappingTests {
    static let expected: [GoogleProblem: LoginFailureCode] = [
        .grantRejected: .authorizationCodeInvalid,
        .redirectURIMismatch: .redirectURIMismatch,
        .clientMisconfigured: .googleClientMisconfigured,
        .accountRestricted: .googleAccountRestricted,
        .rateLimited: .googleRateLimited,
        .unavailable: .googleUnavailable,
        .idTokenInvalid: .idTokenInvalid,
        .requestRefused: .internalError,
    ]

    @Test("every Google problem has its failure code", arguments: GoogleProblem.allCases)
    func problem(_ problem: GoogleProblem) throws {
        #expect(GoogleLoginProvider.failureCode(problem) == Self.expected[problem])
    }

    @Test("retry classes and deliveries keep their meaning")
    func classesAndDeliveries() {
        #expect(GoogleLoginProvider.retryClass(.retryable) == .retryable)
        #expect(GoogleLoginProvider.retryClass(.rateLimited) == .rateLimited)
        #expect(GoogleLoginProvider.retryClass(.terminal) == .terminal)
        #expect(GoogleLoginProvider.delivery(.notSent) == .notSent)
        #expect(GoogleLoginProvider.delivery(.unknown) == .unknown)
        #expect(GoogleLoginProvider.delivery(.responded) == .responded)
    }

    @Test("giving up on retries ends with Google's own codes")
    func exhaustedRetries() {
        let codes = GoogleLoginProvider.exhaustedRetries
        #expect(codes.code(after: .retryable) == .googleUnavailable)
        #expect(codes.code(after: .rateLimited) == .googleRateLimited)
        #expect(codes.code(after: .terminal) == nil)
    }
}
