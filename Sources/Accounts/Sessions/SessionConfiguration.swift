import Crypto

/// How sessions and refresh tokens behave. (The access token's lifetime, 15 minutes by
/// default, is ``AccessTokenKeys/lifetime``.)
public struct SessionConfiguration: Sendable {
    /// How long a refresh-token family (a session) lives from its creation, whatever its
    /// rotations: 30 days by default.
    public let familyLifetime: Duration
    /// How long after a rotation presenting the rotated token again returns the same child
    /// instead of revoking the family (a client that lost the answer, or two tabs refreshing
    /// at once): 10 seconds by default.
    public let reuseGrace: Duration
    /// The secret children are derived with, `HMAC-SHA256(derivationKey, parent)`. Every API
    /// process must share it (a refresh retried on another process re-derives the child); at
    /// least 32 bytes. Changing it only costs the grace answers of rotations made just before.
    let derivationKey: SymmetricKey

    /// - Throws: ``AccountsError/Code/invalidConfiguration`` for a key shorter than 32 bytes,
    ///   a non-positive lifetime, or a grace that is negative or not shorter than the lifetime.
    public init(
        derivationKey: SymmetricKey,
        familyLifetime: Duration = .seconds(30 * 24 * 60 * 60),
        reuseGrace: Duration = .seconds(10)
    ) throws(AccountsError) {
        guard derivationKey.bitCount >= 256 else {
            throw AccountsError(.invalidConfiguration, "the refresh-token derivation key must have at least 32 bytes")
        }
        guard familyLifetime > .zero else {
            throw AccountsError(.invalidConfiguration, "the refresh-token family lifetime must be positive")
        }
        guard reuseGrace >= .zero, reuseGrace < familyLifetime else {
            throw AccountsError(.invalidConfiguration, "the reuse grace must be at least zero and shorter than the family lifetime")
        }
        self.derivationKey = derivationKey
        self.familyLifetime = familyLifetime
        self.reuseGrace = reuseGrace
    }
}

extension Duration {
    /// Whole and fractional seconds, for `make_interval(secs => …)`.
    var totalSeconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
