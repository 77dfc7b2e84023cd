import Crypto

/// What a fingerprint (``SealingKeys/fingerprints(of:purpose:)``) is for. Each purpose has HMAC
/// keys of its own, derived from the sealing keys with HKDF, so a fingerprint made for one use
/// means nothing for another.
public enum FingerprintPurpose: String, CaseIterable, Sendable {
    /// A posted authorization code's dedupe key (`login_jobs.code_hmac`).
    case code
    /// A native app's access token's dedupe key (`login_jobs.code_hmac` of a token login).
    case appToken = "kakao_token"
    /// A native app's access token's poll token.
    case appTokenReader = "kakao_token_reader"
    /// The sessions' refresh-token derivation key.
    case sessions

    /// HKDF's `info`: the purpose's name, prefixed.
    var info: [UInt8] { Array("kakao-login \(rawValue)".utf8) }
}

/// The HMAC keys one sealing key gives, one per purpose: derived once, when the keys load (HKDF
/// cost as much as the HMAC itself), and looked up by an exhaustive switch.
struct FingerprintKeys: Sendable {
    private let code: SymmetricKey
    private let appToken: SymmetricKey
    private let appTokenReader: SymmetricKey
    private let sessions: SymmetricKey

    init(deriving key: SymmetricKey) {
        func derive(_ purpose: FingerprintPurpose) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: purpose.info, outputByteCount: 32)
        }
        code = derive(.code)
        appToken = derive(.appToken)
        appTokenReader = derive(.appTokenReader)
        sessions = derive(.sessions)
    }

    subscript(purpose: FingerprintPurpose) -> SymmetricKey {
        switch purpose {
        case .code: code
        case .appToken: appToken
        case .appTokenReader: appTokenReader
        case .sessions: sessions
        }
    }
}
