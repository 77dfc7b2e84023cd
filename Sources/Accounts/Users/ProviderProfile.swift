import Foundation

/// What a login provider says about a user, in provider-neutral terms. The worker builds one
/// from Kakao's user/me answer; ``UserAccounts/upsertExpressions(_:for:)`` turns it into a user
/// and an identity.
///
/// Optional fields are normalised once, here: surrounding white space is trimmed, NUL
/// characters (which PostgreSQL text cannot hold) are dropped, and an empty value counts as
/// missing. A missing email, nickname or image is normal (the user declined that consent item).
public struct ProviderProfile: Sendable, Hashable {
    /// The provider's name as stored in `user_identities.provider`, e.g. `kakao`: a lowercase
    /// letter, then up to 31 lowercase letters, digits or `_`.
    public let provider: String
    /// The user's id at the provider, verbatim: for Kakao the decimal text of a 64-bit integer
    /// (never through a `Double`). 1 to 255 characters.
    public let subject: String
    /// The provider's nickname, if the user consented to share it.
    public let nickname: String?
    /// The provider's profile image URL.
    public let profileImageURL: String?
    /// The provider's thumbnail image URL.
    public let thumbnailImageURL: String?
    /// The provider's email address, if shared.
    public let email: String?
    /// True only when the provider vouches for ``email`` (for Kakao: both `is_email_valid` and
    /// `is_email_verified`); always false without an email.
    public let emailVerified: Bool
    /// The consent items the provider says the user granted to this app (Kakao's token answer
    /// `scope`), as ``ConsentScopes/normalized(_:)`` keeps them; nil when the provider did not
    /// say, which leaves the identity's stored items as they are.
    public let consentScopes: [String]?

    /// - Parameter emailVerified: the provider's own verdict; ignored (false) when `email` is
    ///   missing or empty.
    /// - Parameter consentScopes: the granted items as the provider lists them.
    public init(
        provider: String,
        subject: String,
        nickname: String? = nil,
        profileImageURL: String? = nil,
        thumbnailImageURL: String? = nil,
        email: String? = nil,
        emailVerified: Bool = false,
        consentScopes: [String]? = nil
    ) {
        self.provider = provider
        self.subject = subject
        self.nickname = Self.normalized(nickname)
        self.profileImageURL = Self.normalized(profileImageURL)
        self.thumbnailImageURL = Self.normalized(thumbnailImageURL)
        self.email = Self.normalized(email)
        self.emailVerified = emailVerified && self.email != nil
        self.consentScopes = consentScopes.map(ConsentScopes.normalized)
    }

    /// Whether ``provider`` and ``subject`` fit `user_identities` (the same rules as its CHECK
    /// constraints, checked here so that a bad profile is an ``AccountsError`` and not a failed
    /// statement in the caller's transaction).
    var isStorable: Bool {
        let providerBytes = Array(provider.utf8)
        guard let first = providerBytes.first, providerBytes.count <= 32, Self.isLowercaseLetter(first),
            providerBytes.allSatisfy({ Self.isLowercaseLetter($0) || Self.isDigit($0) || $0 == UInt8(ascii: "_") })
        else { return false }
        // PostgreSQL's length() counts code points.
        return (1...255).contains(subject.unicodeScalars.count) && !subject.utf8.contains(0)
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Without NULs and without the white space around it, or nil when nothing is left. The
    /// set trimmed is Foundation's `.whitespacesAndNewlines` on Linux: Unicode's White_Space and
    /// the zero width space (U+200B). Pure Swift: a login normalises four of these, and
    /// Foundation's trimming goes through `NSString`.
    private static func normalized(_ value: String?) -> String? {
        guard var value else { return nil }
        if value.utf8.contains(0) {
            value = String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\0" }))
        }
        let scalars = value.unicodeScalars
        let kept = { (scalar: Unicode.Scalar) in !scalar.properties.isWhitespace && scalar != "\u{200B}" }
        guard let first = scalars.firstIndex(where: kept), let last = scalars.lastIndex(where: kept)
        else { return nil }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return value }
        return String(scalars[first...last])
    }
}
