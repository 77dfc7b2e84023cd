import Base64Coding
import EmulatorSupport
import Hummingbird

/// Client authentication at the token endpoint: `client_secret_basic` (HTTP Basic with the
/// form-encoded id and secret) or `client_secret_post` (both in the body), Google's answers.
struct ClientAuthentication {
    let clients: [String: GoogleEmulatorConfiguration.Client]

    /// The authenticated client, or the OAuth error Google answers: no id 400, unknown id 401,
    /// a web client without a secret 400, a wrong secret 401.
    func authenticate(_ request: Request, form: FormParameters) throws -> GoogleEmulatorConfiguration.Client {
        var clientID = try form.single("client_id")
        var secret = try form.single("client_secret")
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard let (basicID, basicSecret) = Self.basicCredentials(header.dropFirst(6)), clientID == nil || clientID == basicID,
                secret == nil || secret == basicSecret
            else { throw OAuthError.noClientID }
            clientID = basicID
            secret = basicSecret
        }
        guard let clientID, !clientID.isEmpty else { throw OAuthError.noClientID }
        guard let client = clients[clientID] else { throw OAuthError.clientNotFound }
        guard let secret, !secret.isEmpty else {
            if client.type == .installed { return client }
            throw OAuthError.missingSecret
        }
        guard client.clientSecrets.contains(secret) else { throw OAuthError.wrongSecret }
        return client
    }

    /// `base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1); an id or secret that is
    /// not validly form-encoded is taken as written, as most clients do not encode.
    static func basicCredentials(_ encoded: Substring) -> (String, String)? {
        guard let bytes = Base64URL.decode(encoded.drop { $0 == " " }, acceptingStandardAlphabet: true),
            let text = String(validating: bytes, as: UTF8.self), let colon = text.firstIndex(of: ":")
        else { return nil }
        func decoded(_ part: Substring) -> String {
            (try? FormParameters(parsing: Array("v=".utf8) + Array(part.utf8)).single("v")).flatMap { $0 } ?? String(part)
        }
        return (decoded(text[..<colon]), decoded(text[text.index(after: colon)...]))
    }
}
