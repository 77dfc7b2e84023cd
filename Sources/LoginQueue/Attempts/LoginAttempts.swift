import Foundation
import Logging
import Postgres

/// Creates login attempts (`POST /auth/kakao/start`): a fresh `state`, a PKCE S256 verifier
/// (stored sealed), an OIDC nonce and the redirect URI, bound to the browser by the hash of a
/// secret attempt token. Only hashes and sealed values reach the database.
public struct LoginAttempts: Sendable {
    let pool: PostgresPool
    let sealing: SealingKeys
    let provider: ConfiguredProvider
    let configuration: LoginQueueConfiguration
    let logger: Logger
    /// The inserts of attempts that arrive together go in one transaction, as one statement (a
    /// `var` only so that tests can give their copy a batcher of their own).
    var inserts: GroupCommit
    /// An insert alone, or the inserts of a batch in one statement; built once.
    let insertStatement: SetStatement<NewAttempt>

    public init(
        pool: PostgresPool,
        sealing: SealingKeys,
        provider: ConfiguredProvider,
        configuration: LoginQueueConfiguration,
        logger: Logger
    ) {
        self.pool = pool
        self.sealing = sealing
        self.provider = provider
        self.configuration = configuration
        self.logger = logger
        self.inserts = GroupCommit(pool: pool, name: "login_attempt")
        self.insertStatement = Self.insertStatement(
            lifetime: configuration.attemptLifetime,
            cap: configuration.maxPendingAttemptsPerClient
        )
    }

    /// The provider whose logins this starts.
    public var configuredProvider: ConfiguredProvider { provider }

    /// Starts an attempt: one durable insert, group-committed with the attempts started at the
    /// same time (one statement for all of them, ``insertStatement(lifetime:cap:)``).
    /// - Parameters:
    ///   - redirectURI: one of the configured redirect URIs, byte for byte; `nil` means the first.
    ///   - clientKey: what the cap on pending attempts counts against — the client's address, or
    ///     its IPv6 block — as `inet` text (`203.0.113.7`, `2001:db8:1:2::/64`); `nil` skips the cap.
    ///   - linkUserID: a signed-in user who asked to link this provider's identity to their account
    ///     (`"link": true` with their Bearer token), or to grant it more consent items: the login
    ///     then links (or re-consents) instead of signing in.
    ///   - additionalScopes: consent items to ask for besides the configured ones (valid
    ///     ``ConsentScopes`` ids; only for a provider that ``LoginProvider/allowsAdditionalScopes``).
    ///   - logger: the caller's logger (an HTTP request's, with its `request.id`); `nil` uses
    ///     this type's. Its lines get `login.attempt.id`.
    /// - Throws: ``LoginQueueError`` (`redirect_uri_not_allowed`, `too_many_pending_attempts`,
    ///   `provider_unavailable`, `database_unavailable`).
    public func start(
        redirectURI: String?,
        clientKey: String?,
        linkUserID: UUID? = nil,
        additionalScopes: [String] = [],
        logger: Logger? = nil
    ) async throws(LoginQueueError) -> StartedAttempt {
        guard let redirect = provider.redirectURI(redirectURI) else { throw LoginQueueError(.redirectURINotAllowed) }

        let attemptID = UUID()
        var logger = logger ?? self.logger
        logger[metadataKey: "login.attempt.id"] = "\(attemptID.uuidString.lowercased())"
        let state = SecretToken.random()
        let attemptToken = SecretToken.random()
        let verifier = SecretToken.random()
        let nonce = SecretToken.random(bytes: 16)
        let sealedVerifier = try LoginQueueError.sealing {
            try sealing.seal(verifier, for: Self.verifierContext(attemptID))
        }
        // The URL first: nothing is written while the provider cannot say where to send the user.
        let url: String
        do {
            url = try await provider.provider.authorizationURL(
                redirectURI: redirect,
                state: state,
                codeChallenge: SecretToken.codeChallenge(verifier: verifier),
                nonce: nonce,
                additionalScopes: additionalScopes
            )
        } catch {
            logger.warning("login.attempt.provider_unavailable", metadata: ["provider.error": "\(error)"])
            throw LoginQueueError(.providerUnavailable)
        }
        let attempt = NewAttempt(
            id: attemptID,
            provider: provider.name,
            stateHash: SecretToken.sha256(state),
            bindingHash: SecretToken.sha256(attemptToken),
            sealedVerifier: sealedVerifier,
            nonce: nonce,
            redirectURI: redirect,
            clientKey: clientKey,
            linkUserID: linkUserID
        )
        let inserted = try await LoginQueueError.database(logger, "start") {
            try await inserts.execute(attempt, insertStatement)
        }
        guard inserted == 1 else { throw LoginQueueError(.tooManyPendingAttempts) }
        return StartedAttempt(
            attemptID: attemptID,
            authorizeURL: url,
            state: state,
            attemptToken: attemptToken,
            redirectURI: redirect,
            lifetime: configuration.attemptLifetime
        )
    }

    /// How many attempts of every client are unused and unexpired, counting at most `limit + 1`
    /// (a flood costs a bounded scan): the API refuses new attempts above its global ceiling.
    public func pendingCount(limit: Int) async throws(LoginQueueError) -> Int {
        let rows = try await LoginQueueError.database(logger, "pending_attempts") {
            try await pool.query(
                """
                SELECT count(*) AS pending FROM (
                    SELECT 1 FROM login_attempts WHERE used_at IS NULL AND expires_at > now() LIMIT \(limit + 1)) AS p
                """
            )
        }
        return (try? rows.first?.decode(Int.self, "pending")) ?? 0
    }

    /// Where an attempt's sealed verifier belongs; the job keeps the attempt id, so the worker
    /// opens it with the same context after the verifier moved to the job row.
    static func verifierContext(_ attemptID: UUID) -> SealingContext {
        SealingContext(table: "login_attempts", column: "pkce_verifier", rowKey: attemptID.uuidString.lowercased())
    }
}
