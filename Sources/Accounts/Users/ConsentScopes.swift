/// Consent items (scopes) as identities keep them and clients ask for them: a provider's scope
/// ids such as `account_email` or `profile_nickname` — 1 to 64 lowercase letters, digits or `_`,
/// at most ``maximumCount`` of them. Anything else is never stored.
public enum ConsentScopes {
    /// The most items one identity keeps or one login asks for.
    public static let maximumCount = 32
    /// The longest scope id.
    public static let maximumLength = 64

    /// Whether `name` is a scope id: 1 to ``maximumLength`` of `a-z`, `0-9` and `_`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...maximumLength).contains(bytes.count)
            && bytes.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "_")
            }
    }

    /// The scope ids among `names`, each once, sorted, at most ``maximumCount``: what an identity
    /// stores of a provider's list.
    public static func normalized(_ names: [String]) -> [String] {
        Array(Set(names.filter(isValid)).sorted().prefix(maximumCount))
    }
}
