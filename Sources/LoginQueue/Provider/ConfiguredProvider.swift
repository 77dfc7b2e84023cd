/// A login provider as this deployment serves it: the provider, the path segment of its routes,
/// and the redirect URIs registered with it (`KAKAO_REDIRECT_URIS`, `GOOGLE_REDIRECT_URIS`).
public struct ConfiguredProvider: Sendable {
    public let provider: any LoginProvider
    /// The segment of its routes, `/auth/{route}/…`: `kakao` or `google` (the stored ``name``
    /// may differ: `kakao_emulator`).
    public let route: String
    /// The allow-list, compared byte for byte; the first is the default.
    public let redirectURIs: [String]

    public init(provider: any LoginProvider, route: String, redirectURIs: [String]) {
        self.provider = provider
        self.route = route
        self.redirectURIs = redirectURIs
    }

    /// The name stored with its attempts, jobs, identities and sessions.
    public var name: String { provider.name }

    /// Whether `redirectURI` is in the allow-list, byte for byte (no normalisation: a URI that
    /// differs in case, a trailing slash or an escape is another URI).
    func allows(redirectURI: String) -> Bool {
        redirectURIs.contains { $0.utf8.elementsEqual(redirectURI.utf8) }
    }

    /// `redirectURI` when it is allowed; the default (the first) when it is nil; else nil.
    func redirectURI(_ requested: String?) -> String? {
        guard let chosen = requested ?? redirectURIs.first, allows(redirectURI: chosen) else { return nil }
        return chosen
    }
}
