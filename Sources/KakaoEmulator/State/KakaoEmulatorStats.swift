import EmulatorSupport

/// What the Kakao emulator has seen since it started (`GET /_emulator/stats`, snake_case there):
/// the shared counts (``EmulatorStats``, read through as members: `stats.tokenRequestsTotal`)
/// and Kakao's own.
public struct KakaoEmulatorStats: ProviderStats {
    /// The counts every emulator keeps.
    public var common: EmulatorStats
    /// Refreshes that rotated the refresh token.
    public var refreshRotationsTotal: Int
    /// KOE237 answers (the per-user limit, not injected quota faults).
    public var rateLimitedTotal: Int
    /// `/v2/user/me` requests (faulted ones included, as for the other per-path counts).
    public var userMeTotal: Int
    /// `/v1/user/access_token_info` requests.
    public var accessTokenInfoTotal: Int
    /// `/v1/user/logout` requests.
    public var logoutTotal: Int
    /// `/v1/user/unlink` requests.
    public var unlinkTotal: Int

    init(common: EmulatorStats, kakao: KakaoCounters) {
        self.common = common
        func requests(_ route: EmulatorRoute) -> Int { common.requestsByPath[route.path] ?? 0 }
        refreshRotationsTotal = kakao.read(\.refreshRotations)
        rateLimitedTotal = kakao.read(\.rateLimited)
        userMeTotal = requests(.userMe)
        accessTokenInfoTotal = requests(.accessTokenInfo)
        logoutTotal = requests(.logout)
        unlinkTotal = requests(.unlink)
    }

    /// The JSON object of `GET /_emulator/stats`.
    var json: String {
        var object = JSONObjectWriter()
        common.write(into: &object)
        object.add("refresh_rotations_total", refreshRotationsTotal)
        object.add("rate_limited_total", rateLimitedTotal)
        object.add("user_me_total", userMeTotal)
        object.add("access_token_info_total", accessTokenInfoTotal)
        object.add("logout_total", logoutTotal)
        object.add("unlink_total", unlinkTotal)
        return object.finish()
    }
}
