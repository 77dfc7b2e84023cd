import EmulatorSupport

/// What the Google emulator has seen since it started (`GET /_emulator/stats`, snake_case there):
/// the shared counts (``EmulatorStats``, read through as members: `stats.tokenRequestsTotal`
/// sums `/token` and its aliases) and Google's own.
public struct GoogleEmulatorStats: ProviderStats {
    /// The counts every emulator keeps.
    public var common: EmulatorStats
    /// Userinfo requests (`/v1/userinfo`, `/oauth2/v3/userinfo`, `/oauth2/v2/userinfo`), faulted ones included.
    public var userinfoTotal: Int
    /// Tokeninfo requests.
    public var tokeninfoTotal: Int
    /// Revoke requests, whatever their outcome.
    public var revokeTotal: Int
    /// Revoke requests that revoked a grant.
    public var revocationsTotal: Int
    /// Refresh tokens handed out.
    public var refreshTokensIssuedTotal: Int

    init(common: EmulatorStats, google: GoogleCounters) {
        self.common = common
        func requests(_ paths: Set<String>) -> Int { paths.reduce(0) { $0 + (common.requestsByPath[$1] ?? 0) } }
        userinfoTotal = requests(GoogleRoute.userInfoPaths)
        tokeninfoTotal = requests(GoogleRoute.tokenInfoPaths)
        revokeTotal = requests(GoogleRoute.revokePaths)
        revocationsTotal = google.read(\.revocations)
        refreshTokensIssuedTotal = google.read(\.refreshTokensIssued)
    }

    /// The JSON object of `GET /_emulator/stats`.
    var json: String {
        var object = JSONObjectWriter()
        common.write(into: &object)
        object.add("userinfo_total", userinfoTotal)
        object.add("tokeninfo_total", tokeninfoTotal)
        object.add("revoke_total", revokeTotal)
        object.add("revocations_total", revocationsTotal)
        object.add("refresh_tokens_issued_total", refreshTokensIssuedTotal)
        return object.finish()
    }
}
