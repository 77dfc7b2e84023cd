import Foundation

/// Where an account deletion stands (`GET /me/deletion/{deletion_id}`).
public enum AccountDeletionStatus: Sendable, Equatable {
    /// The providers are being told; the sessions have already ended.
    case pending
    /// Every provider disconnected the app and the account is erased.
    case succeeded(finishedAt: Date)
    /// The account is erased, but a provider could not be told before the deadline (`code`,
    /// with the provider's error code): an operator may retry it.
    case failed(LoginFailureCode, providerError: String?, finishedAt: Date)
}
