import EmulatorSupport

extension GoogleEmulatorConfiguration {
    /// A Google account that can sign in.
    public struct User: Sendable, Hashable {
        /// The stable subject: Google's are numeric strings of about 21 digits.
        public var sub: String
        /// Nil: the account shows no email (the `email` scope then adds nothing).
        public var email: String?
        /// `email_verified`.
        public var emailVerified: Bool
        /// The Workspace domain (`hd`); nil for consumer accounts.
        public var hd: String?
        /// `name`, `given_name`, `family_name`, `picture`: any may be missing, as at Google.
        public var name: String?
        public var givenName: String?
        public var familyName: String?
        public var picture: String?
        /// `locale` (claimed only with ``Uncertain/localeClaim``).
        public var locale: String?

        public init(
            sub: String,
            email: String? = nil,
            emailVerified: Bool = true,
            hd: String? = nil,
            name: String? = nil,
            givenName: String? = nil,
            familyName: String? = nil,
            picture: String? = nil,
            locale: String? = nil
        ) {
            self.sub = sub
            self.email = email
            self.emailVerified = emailVerified
            self.hd = hd
            self.name = name
            self.givenName = givenName
            self.familyName = familyName
            self.picture = picture
            self.locale = locale
        }

        /// 1 to 255 printable ASCII characters (Google: case-sensitive ASCII, at most 255).
        static func isValidSub(_ sub: String) -> Bool {
            (1...255).contains(sub.utf8.count) && sub.utf8.allSatisfy { (0x21...0x7E).contains($0) }
        }

        /// A user made up for an unknown `sub`: a name and a verified, non-Google address.
        package static func synthetic(_ sub: String) -> User {
            User(
                sub: sub,
                email: "user-\(sub)@emulator.google.test",
                name: "User \(sub.suffix(4))",
                givenName: "User",
                familyName: String(sub.suffix(4)),
                picture: "https://lh3.googleusercontent.com/a/emulator-\(sub)=s96-c"
            )
        }

        private static func picture(_ name: String) -> String { "https://lh3.googleusercontent.com/a/emulator-\(name)=s96-c" }

        /// The default test users: a gmail.com account, one whose email is not verified, one in a
        /// Workspace domain (`hd`), and one with a single name and no picture.
        public static let namedTestUsers: [User] = [
            User(
                sub: "108234567890123456789",
                email: "alice.emulator@gmail.com",
                name: "Alice Kim",
                givenName: "Alice",
                familyName: "Kim",
                picture: picture("alice"),
                locale: "en"
            ),
            User(
                sub: "109876543210987654321",
                email: "bob@emulator-mail.test",
                emailVerified: false,
                name: "Bob Lee",
                givenName: "Bob",
                familyName: "Lee",
                picture: picture("bob"),
                locale: "en-GB"
            ),
            User(
                sub: "110112233445566778899",
                email: "carol@workspace.emulator.test",
                hd: "workspace.emulator.test",
                name: "Carol Park",
                givenName: "Carol",
                familyName: "Park",
                picture: picture("carol"),
                locale: "ko"
            ),
            User(sub: "111122223333444455556", email: "dana.emulator@gmail.com", name: "Dana", givenName: "Dana"),
        ]
    }
}

extension GoogleEmulatorConfiguration.User: DirectoryUser {
    package var directoryID: String { sub }
}
