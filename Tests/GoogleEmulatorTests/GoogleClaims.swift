import Foundation
import JWTKit

/// A Google ID token's claims as a relying party decodes them (jwt-kit checks the signature;
/// `verify` checks the expiry).
struct GoogleClaims: JWTPayload, Equatable {
    var iss: String
    var azp: String
    var aud: String
    var sub: String
    var hd: String?
    var email: String?
    var email_verified: Bool?
    var at_hash: String
    var nonce: String?
    var name: String?
    var picture: String?
    var given_name: String?
    var family_name: String?
    var locale: String?
    var iat: Int
    var exp: Int

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try ExpirationClaim(value: .init(timeIntervalSince1970: Double(exp))).verifyNotExpired()
    }
}
