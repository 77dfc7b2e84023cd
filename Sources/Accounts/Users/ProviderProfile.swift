/// What a login provider says about a user, in provider-neutral terms. The worker builds one
/// from Kakao's user/me answer; `Accounts` turns it into a user and an identity.
public struct ProviderProfile: Sendable, Hashable {
    /// The provider's name as stored in `user_identities.provider`, e.g. `kakao`.
    public var provider: String
    /// The user's id at the provider, e.g. the Kakao id as the text of a 64-bit integer.
    public var subject: String
    public var nickname: String?
    public var profileImageURL: String?
    public var thumbnailImageURL: String?
    public var email: String?
    /// True only when the provider vouches for the address (for Kakao: both `is_email_valid`
    /// and `is_email_verified`).
    public var emailVerified: Bool

    public init(
        provider: String,
        subject: String,
        nickname: String? = nil,
        profileImageURL: String? = nil,
        thumbnailImageURL: String? = nil,
        email: String? = nil,
        emailVerified: Bool = false
    ) {
        self.provider = provider
        self.subject = subject
        self.nickname = nickname
        self.profileImageURL = profileImageURL
        self.thumbnailImageURL = thumbnailImageURL
        self.email = email
        self.emailVerified = emailVerified && email != nil
    }
}
