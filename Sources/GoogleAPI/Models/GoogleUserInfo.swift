import OAuthClientSupport

/// The OpenID Connect userinfo answer. Only `sub` is certain: the other fields depend on the
/// granted scopes (`email`, `profile`) and the account (`hd` only for Workspace accounts).
/// `description` hides the email and names.
public struct GoogleUserInfo: Sendable, Hashable, JSONReadable, CustomStringConvertible {
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

    package init?(json: JSONValue) {
        guard let subject = json["sub"]?.string, !subject.isEmpty else { return nil }
        self.subject = subject
        email = json["email"]?.string
        emailVerified = json["email_verified"]?.flag ?? false
        name = json["name"]?.string
        givenName = json["given_name"]?.string
        familyName = json["family_name"]?.string
        picture = json["picture"]?.string
        hostedDomain = json["hd"]?.string
    }

    public var description: String {
        "GoogleUserInfo(subject: \(subject), email: \(email == nil ? "absent" : "present"), emailVerified: \(emailVerified), hostedDomain: \(hostedDomain ?? "absent"))"
    }
}
