import OAuthClientSupport

/// The OpenID Connect userinfo answer. Only `sub` is certain: the other fields depend on the
/// granted scopes (`email`, `profile`) and the account (`hd` only for Workspace accounts).
/// `description` hides the email and names.
public struct GoogleUserInfo: Sendable, Hashable, Decodable, CustomStringConvertible {
    /// `sub`: Google's user id, the key to store (never the email).
    public let subject: String
    /// `email` (with the `email` scope); not unique over time, not a key.
    public let email: String?
    /// `email_verified`, a boolean or the string `"true"`; false when absent.
    public let emailVerified: Bool
    /// `name` (with `profile`; may be missing).
    public let name: String?
    /// `given_name`.
    public let givenName: String?
    /// `family_name`.
    public let familyName: String?
    /// `picture`: the profile photo URL.
    public let picture: String?
    /// `hd`: the Workspace domain; absent for consumer accounts.
    public let hostedDomain: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let subject = container.lenient("sub", as: String.self), !subject.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no sub"))
        }
        self.subject = subject
        email = container.lenient("email")
        emailVerified = container.flag("email_verified") ?? false
        name = container.lenient("name")
        givenName = container.lenient("given_name")
        familyName = container.lenient("family_name")
        picture = container.lenient("picture")
        hostedDomain = container.lenient("hd")
    }

    public var description: String {
        "GoogleUserInfo(subject: \(subject), email: \(email == nil ? "absent" : "present"), emailVerified: \(emailVerified), hostedDomain: \(hostedDomain ?? "absent"))"
    }
}
