/// What every emulator counts the same way (`GET /_emulator/stats`, snake_case there). Each
/// emulator's own stats type carries it and reads its members through.
public struct EmulatorStats: Sendable, Hashable {
    /// Every request answered or dropped, all paths.
    public var requestsTotal: Int
    /// Requests to each path the emulator serves (every one listed, 0 included), faulted ones
    /// included; a control path counts only requests from loopback peers.
    public var requestsByPath: [String: Int]
    /// Token-endpoint requests, whatever their outcome (faulted ones included).
    public var tokenRequestsTotal: Int
    /// … of which reached the grant with `grant_type=authorization_code` (not faulted away).
    public var tokenRequestsAuthorizationCode: Int
    /// … of which `grant_type=refresh_token`.
    public var tokenRequestsRefreshToken: Int
    /// Successful token answers (exchanges and refreshes).
    public var tokensIssuedTotal: Int
    /// RS256 ID tokens signed.
    public var idTokensSignedTotal: Int
    /// Authorization codes issued (consent page and `/_emulator/codes`).
    public var codesIssuedTotal: Int
    /// Codes that were presented to the token endpoint more than once (each counted once).
    public var codesPresentedMoreThanOnce: Int
    /// The most times any one code reached the grant (not turned away by an injected fault
    /// first): 1 when no code was ever presented twice.
    public var codePresentationsMax: Int
    /// Code presentations refused (unknown, expired, already used, …).
    public var codesRejectedTotal: Int
    /// Requests delayed by injected latency.
    public var faultsLatencyTotal: Int
    /// Injected server errors.
    public var faultsErrorTotal: Int
    /// Requests held without an answer.
    public var faultsTimeoutTotal: Int
    /// Requests whose connection was dropped after the work.
    public var faultsDropTotal: Int
    /// Injected quota errors.
    public var faultsQuotaTotal: Int

    /// Adds the members to the JSON object of `GET /_emulator/stats`.
    package func write(into object: inout JSONObjectWriter) {
        object.add("requests_total", requestsTotal)
        var paths = JSONObjectWriter()
        for (path, count) in requestsByPath.sorted(by: { $0.key < $1.key }) { paths.add(path, count) }
        object.add("requests_by_path", json: paths.finish())
        object.add("token_requests_total", tokenRequestsTotal)
        object.add("token_requests_authorization_code", tokenRequestsAuthorizationCode)
        object.add("token_requests_refresh_token", tokenRequestsRefreshToken)
        object.add("tokens_issued_total", tokensIssuedTotal)
        object.add("id_tokens_signed_total", idTokensSignedTotal)
        object.add("codes_issued_total", codesIssuedTotal)
        object.add("codes_presented_more_than_once", codesPresentedMoreThanOnce)
        object.add("code_presentations_max", codePresentationsMax)
        object.add("codes_rejected_total", codesRejectedTotal)
        object.add("faults_latency_total", faultsLatencyTotal)
        object.add("faults_error_total", faultsErrorTotal)
        object.add("faults_timeout_total", faultsTimeoutTotal)
        object.add("faults_drop_total", faultsDropTotal)
        object.add("faults_quota_total", faultsQuotaTotal)
    }
}
