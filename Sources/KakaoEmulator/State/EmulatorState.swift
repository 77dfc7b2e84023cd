import EmulatorSupport

/// The emulator's mutable world: codes, tokens, links, synthetic users and the per-user issue
/// log. A plain struct, always used under one lock (``EmulatorStore``); time comes in as an
/// argument (the emulated clock), random strings are made by the caller outside the lock.
struct EmulatorState {
    struct Lifetimes {
        let code: Double
        let accessToken: Double
        let refreshToken: Double
        let rotationThreshold: Double
        let failedExchangeBurnsCode: Bool
        let tokenRedirectURI: KakaoEmulatorConfiguration.TokenRedirectURI
        let rateLimit: KakaoEmulatorConfiguration.RateLimit
    }

    private let lifetimes: Lifetimes
    var users: UserDirectory<KakaoEmulatorConfiguration.User>
    private var codes: [String: CodeRecord] = [:]
    private var accessTokens: [String: TokenRecord] = [:]
    private var refreshTokens: [String: TokenRecord] = [:]
    private var links: [LinkKey: Link] = [:]
    /// Bumped by logout and unlink; outlives the link so a re-link never revives old tokens.
    private var generations: [LinkKey: Int] = [:]
    private var issueLog: [Int64: (accessTokens: [Double], refreshTokens: [Double])] = [:]
    private var pruning = PruneSchedule()

    init(users: [KakaoEmulatorConfiguration.User], lifetimes: Lifetimes) {
        self.users = UserDirectory(users)
        self.lifetimes = lifetimes
    }

    // MARK: users and links

    func link(appID: Int64, userID: Int64) -> Link? {
        links[LinkKey(appID: appID, userID: userID)]
    }

    /// Records consent: links the user to the app (first time) and adds the agreed items.
    mutating func consent(appID: Int64, userID: Int64, scopes: Set<String>, now: Double) {
        let key = LinkKey(appID: appID, userID: userID)
        if links[key] == nil {
            links[key] = Link(scopes: [], connectedAt: UTCText.iso8601(unixSeconds: Int64(now)))
        }
        links[key]!.scopes.formUnion(scopes)
    }

    // MARK: codes

    mutating func storeCode(_ code: String, _ record: CodeRecord) {
        codes[code] = record
        pruneIfDue(now: record.expiresAt - lifetimes.code)
    }

    /// `grant_type=authorization_code` after the client was authenticated.
    /// - Returns: the grant; how many times the code has now been presented (0 for an unknown
    ///   code); the code's user, when the code is known.
    mutating func exchange(
        code: String,
        clientID: String,
        redirectURI: String?,
        codeVerifier: String?,
        newAccessToken: String,
        newRefreshToken: String,
        now: Double
    ) -> (result: Result<TokenGrant, TokenFailure>, presentations: Int, userID: Int64?) {
        guard var record = codes[code] else { return (.failure(.invalidCode), 0, nil) }
        record.presentations += 1
        defer { codes[code] = record }
        let presented = (record.presentations, record.userID)
        guard !record.spent, now < record.expiresAt else { return (.failure(.invalidCode), presented.0, presented.1) }
        let failure: TokenFailure? =
            if record.clientID != clientID { .appMismatch } else if !redirectURIMatches(redirectURI, record) {
                .redirectURIMismatch
            } else if !PKCE.verifies(verifier: codeVerifier, challenge: record.codeChallenge) { .invalidCode } else { nil }
        if let failure {
            if lifetimes.failedExchangeBurnsCode { record.spent = true }
            return (.failure(failure), presented.0, presented.1)
        }
        guard admitIssue(userID: record.userID, refreshToken: true, now: now) else {
            return (.failure(.rateLimited), presented.0, presented.1)
        }
        record.spent = true
        let grant = storeGrant(
            appID: record.appID,
            userID: record.userID,
            openid: record.openid,
            nonce: record.nonce,
            authTime: record.authTime,
            accessToken: newAccessToken,
            refreshToken: newRefreshToken,
            now: now
        )
        return (.success(grant), presented.0, presented.1)
    }

    /// What Kakao's SDK gets when the user logs in to an app natively (KakaoTalk or the Kakao
    /// account): the user agrees to `scopes` for the app and is issued tokens, as a code exchange
    /// would issue them, under the same per-user limit.
    mutating func sdkLogin(
        appID: Int64,
        userID: Int64,
        scopes: Set<String>,
        openid: Bool,
        nonce: String?,
        newAccessToken: String,
        newRefreshToken: String,
        now: Double
    ) -> Result<TokenGrant, TokenFailure> {
        _ = users.user(userID)
        consent(appID: appID, userID: userID, scopes: scopes, now: now)
        guard admitIssue(userID: userID, refreshToken: true, now: now) else { return .failure(.rateLimited) }
        return .success(
            storeGrant(
                appID: appID,
                userID: userID,
                openid: openid,
                nonce: nonce,
                authTime: Int64(now),
                accessToken: newAccessToken,
                refreshToken: newRefreshToken,
                now: now
            )
        )
    }

    /// Records a new access and refresh token of the app–user link (at its current generation)
    /// and returns the grant that hands them out.
    private mutating func storeGrant(
        appID: Int64,
        userID: Int64,
        openid: Bool,
        nonce: String?,
        authTime: Int64,
        accessToken: String,
        refreshToken: String,
        now: Double
    ) -> TokenGrant {
        let key = LinkKey(appID: appID, userID: userID)
        let generation = generations[key, default: 0]
        func record(lifetime: Double) -> TokenRecord {
            TokenRecord(appID: appID, userID: userID, generation: generation, expiresAt: now + lifetime, openid: openid, authTime: authTime)
        }
        accessTokens[accessToken] = record(lifetime: lifetimes.accessToken)
        refreshTokens[refreshToken] = record(lifetime: lifetimes.refreshToken)
        pruneIfDue(now: now)
        return TokenGrant(
            user: users.user(userID),
            scopes: links[key]?.scopes ?? [],
            openid: openid,
            nonce: nonce,
            authTime: authTime,
            accessToken: accessToken,
            refreshToken: refreshToken
        )
    }

    /// The authorize request's `redirect_uri`, or none at all when that is allowed.
    private func redirectURIMatches(_ presented: String?, _ record: CodeRecord) -> Bool {
        guard let presented else { return lifetimes.tokenRedirectURI == .optional }
        return presented == record.redirectURI
    }

    /// `grant_type=refresh_token` after the client was authenticated; rotates the refresh
    /// token when less than the rotation threshold is left.
    mutating func refresh(
        refreshToken: String,
        appID: Int64,
        newAccessToken: String,
        newRefreshToken: String,
        now: Double
    ) -> Result<TokenGrant, TokenFailure> {
        guard let record = refreshTokens[refreshToken], record.appID == appID, now < record.expiresAt else {
            return .failure(.invalidRefreshToken)
        }
        let key = LinkKey(appID: appID, userID: record.userID)
        guard let link = links[key], record.generation == generations[key, default: 0] else {
            return .failure(.invalidRefreshToken)
        }
        let rotates = record.expiresAt - now < lifetimes.rotationThreshold
        guard admitIssue(userID: record.userID, refreshToken: rotates, now: now) else { return .failure(.rateLimited) }
        accessTokens[newAccessToken] = TokenRecord(
            appID: appID,
            userID: record.userID,
            generation: record.generation,
            expiresAt: now + lifetimes.accessToken,
            openid: record.openid,
            authTime: record.authTime
        )
        if rotates {
            refreshTokens[refreshToken] = nil
            refreshTokens[newRefreshToken] = TokenRecord(
                appID: appID,
                userID: record.userID,
                generation: record.generation,
                expiresAt: now + lifetimes.refreshToken,
                openid: record.openid,
                authTime: record.authTime
            )
        }
        pruneIfDue(now: now)
        return .success(
            TokenGrant(
                user: users.user(record.userID),
                scopes: link.scopes,
                openid: record.openid,
                nonce: nil,
                authTime: record.authTime,
                accessToken: newAccessToken,
                refreshToken: rotates ? newRefreshToken : nil
            )
        )
    }

    // MARK: kapi

    /// The token's record, its user and link; -401 for unknown, revoked or expired tokens.
    mutating func resolve(accessToken: String, now: Double) -> Result<(TokenRecord, KakaoEmulatorConfiguration.User, Link), AccessFailure> {
        guard let record = accessTokens[accessToken] else { return .failure(.tokenDoesNotExist) }
        let key = LinkKey(appID: record.appID, userID: record.userID)
        guard let link = links[key], record.generation == generations[key, default: 0] else {
            return .failure(.tokenDoesNotExist)
        }
        guard now < record.expiresAt else { return .failure(.tokenExpired) }
        return .success((record, users.user(record.userID), link))
    }

    /// Logout (`unlink: false`) expires the user's tokens for the app; unlink also removes the link.
    mutating func revoke(appID: Int64, userID: Int64, unlink: Bool) -> Result<Void, AccessFailure> {
        let key = LinkKey(appID: appID, userID: userID)
        guard links[key] != nil else { return .failure(.notLinked) }
        generations[key, default: 0] += 1
        if unlink { links[key] = nil }
        return .success(())
    }

    // MARK: rate limit

    /// Records one issue of an access token (and of a refresh token when `refreshToken`),
    /// unless that would pass the per-user limits.
    private mutating func admitIssue(userID: Int64, refreshToken: Bool, now: Double) -> Bool {
        let limit = lifetimes.rateLimit
        guard limit.enabled else { return true }
        var log = issueLog[userID] ?? ([], [])
        log.accessTokens.removeAll { $0 <= now - 600 }
        log.refreshTokens.removeAll { $0 <= now - 3600 }
        defer { issueLog[userID] = log }
        guard log.accessTokens.count < limit.accessTokensPer10Minutes,
            !refreshToken || log.refreshTokens.count < limit.refreshTokensPerHour
        else { return false }
        log.accessTokens.append(now)
        if refreshToken { log.refreshTokens.append(now) }
        return true
    }

    // MARK: pruning

    /// At most once a minute (emulated time), forgets what can no longer matter: codes well past
    /// expiry, access tokens a day past expiry (until then they answer "already expired"),
    /// expired refresh tokens, idle rate-limit logs. A full sweep, so it runs rarely: under load
    /// the lock must stay short.
    private mutating func pruneIfDue(now: Double) {
        guard pruning.isDue(now: now) else { return }
        let codeRetention = lifetimes.code
        codes = codes.filter { $0.value.expiresAt + codeRetention > now }
        accessTokens = accessTokens.filter { $0.value.expiresAt + 86_400 > now }
        refreshTokens = refreshTokens.filter { $0.value.expiresAt > now }
        issueLog = issueLog.filter { entry in
            entry.value.accessTokens.contains { $0 > now - 600 } || entry.value.refreshTokens.contains { $0 > now - 3600 }
        }
    }
}
