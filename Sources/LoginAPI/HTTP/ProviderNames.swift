import LoginQueue

/// The providers this API serves: the segment of their routes (`kakao`, `google`) and the name
/// their identities are stored under (`kakao`, or `kakao_emulator` against the emulator). Users
/// see the segment; the database keeps the name.
struct ProviderNames: Sendable {
    private let routesByName: [String: String]
    private let namesByRoute: [String: String]
    /// The routes' segments, in the order the providers were configured.
    let routes: [String]

    init(_ providers: [ConfiguredProvider]) {
        routesByName = Dictionary(providers.map { ($0.name, $0.route) }, uniquingKeysWith: { first, _ in first })
        namesByRoute = Dictionary(providers.map { ($0.route, $0.name) }, uniquingKeysWith: { first, _ in first })
        routes = providers.map(\.route)
    }

    /// The segment a stored name is served under; the name itself for a provider not served.
    func route(of name: String) -> String { routesByName[name] ?? name }

    /// The stored name of a served route, or nil.
    func name(ofRoute route: String) -> String? { namesByRoute[route] }
}
