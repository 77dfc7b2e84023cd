import Foundation

/// What a session records of the client that received its tokens, for the user's list of
/// sessions: the browser or app family, never the full User-Agent, and the client's network,
/// never its address.
public struct SessionDevice: Sendable, Hashable {
    /// `Chrome`, `Safari`, `KakaoTalk`, `curl`, …; `other` when not recognised; nil when unknown.
    public let userAgentFamily: String?
    /// An IPv4 /24 or an IPv6 /48 in CIDR notation (`203.0.113.0/24`); nil when unknown.
    public let clientNetwork: String?

    /// Nothing known (a session made outside an HTTP request).
    public static let unknown = SessionDevice(userAgentFamily: nil, clientNetwork: nil)

    /// - Parameters:
    ///   - userAgentFamily: a family name, at most 32 characters (longer ones are cut).
    ///   - clientNetwork: a network in CIDR notation, at most 64 characters (dropped otherwise).
    public init(userAgentFamily: String?, clientNetwork: String?) {
        // Counted in Unicode scalars, as PostgreSQL's char_length counts characters.
        self.userAgentFamily = userAgentFamily.map { String(String.UnicodeScalarView($0.unicodeScalars.prefix(32))) }
            .flatMap { $0.isEmpty ? nil : $0 }
        self.clientNetwork = clientNetwork.flatMap { (1...64).contains($0.unicodeScalars.count) ? $0 : nil }
    }

    /// The family of a `User-Agent` header, by the tokens browsers and apps put in it (in-app
    /// browsers and derived browsers first, since they also name the engine they build on).
    public static func family(ofUserAgent userAgent: String?) -> String? {
        guard let userAgent, !userAgent.isEmpty else { return nil }
        for (token, family) in familyTokens where userAgent.range(of: token, options: .caseInsensitive) != nil {
            return family
        }
        return "other"
    }

    private static let familyTokens: [(String, String)] = [
        ("KAKAOTALK", "KakaoTalk"), ("NAVER(inapp", "Naver app"), ("Instagram", "Instagram"), ("FBAN", "Facebook"),
        ("SamsungBrowser", "Samsung Internet"), ("Whale/", "Whale"), ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
        ("okhttp", "okhttp"), ("curl/", "curl"), ("python-requests", "python-requests"),
    ]
}
