/// The JSON body of `POST /_emulator/codes`, every member optional: what the authorization
/// request would carry, and the user. `user_id` is a JSON integer (exact to 64 bits, for
/// Kakao's ids above 2^53) or a string (Google's `sub`).
package struct CodeRequestBody: Decodable {
    package var clientID: String?
    package var redirectURI: String?
    package var userID: String?
    package var scope: String?
    package var codeChallenge: String?
    package var codeChallengeMethod: String?
    package var nonce: String?
    package var accessType: String?
    package var prompt: String?
    package var includeGrantedScopes: Bool?

    private enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case redirectURI = "redirect_uri"
        case userID = "user_id"
        case scope
        case codeChallenge = "code_challenge"
        case codeChallengeMethod = "code_challenge_method"
        case nonce
        case accessType = "access_type"
        case prompt
        case includeGrantedScopes = "include_granted_scopes"
    }

    /// Nothing given: every default.
    package init() {}

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clientID = try c.decodeIfPresent(String.self, forKey: .clientID)
        redirectURI = try c.decodeIfPresent(String.self, forKey: .redirectURI)
        if let number = try? c.decodeIfPresent(Int64.self, forKey: .userID) {
            userID = String(number)
        } else {
            userID = try c.decodeIfPresent(String.self, forKey: .userID)
        }
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        codeChallenge = try c.decodeIfPresent(String.self, forKey: .codeChallenge)
        codeChallengeMethod = try c.decodeIfPresent(String.self, forKey: .codeChallengeMethod)
        nonce = try c.decodeIfPresent(String.self, forKey: .nonce)
        accessType = try c.decodeIfPresent(String.self, forKey: .accessType)
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt)
        includeGrantedScopes = try c.decodeIfPresent(Bool.self, forKey: .includeGrantedScopes)
    }
}
