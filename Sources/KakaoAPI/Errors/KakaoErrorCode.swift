/// Kakao's own error code: `KOE320` from kauth, `-401` from kapi. Only well-formed codes are
/// kept (`KOE` and 3–4 digits, or a signed integer), so nothing else of Kakao's body survives.
public struct KakaoErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// `KOE320`, `-401`, …
    public let rawValue: String

    /// Nil unless `rawValue` looks like a Kakao code.
    public init?(rawValue: String) {
        let isKOE =
            rawValue.count >= 6 && rawValue.count <= 7 && rawValue.hasPrefix("KOE") && rawValue.dropFirst(3).allSatisfy(\.isASCIIDigit)
        let digits = rawValue.hasPrefix("-") ? rawValue.dropFirst() : Substring(rawValue)
        let isNumeric = !digits.isEmpty && digits.count <= 6 && digits.allSatisfy(\.isASCIIDigit)
        guard isKOE || isNumeric else { return nil }
        self.rawValue = rawValue
    }

    /// A kapi numeric code.
    init(kapi code: Int) {
        rawValue = String(code)
    }

    public var description: String { rawValue }

    /// Codes callers branch on; anything else compares by ``rawValue``.
    public static let koe003 = KakaoErrorCode(rawValue: "KOE003")!
    public static let koe010 = KakaoErrorCode(rawValue: "KOE010")!
    public static let koe101 = KakaoErrorCode(rawValue: "KOE101")!
    public static let koe114 = KakaoErrorCode(rawValue: "KOE114")!
    public static let koe237 = KakaoErrorCode(rawValue: "KOE237")!
    public static let koe303 = KakaoErrorCode(rawValue: "KOE303")!
    public static let koe310 = KakaoErrorCode(rawValue: "KOE310")!
    public static let koe319 = KakaoErrorCode(rawValue: "KOE319")!
    public static let koe320 = KakaoErrorCode(rawValue: "KOE320")!
    public static let koe322 = KakaoErrorCode(rawValue: "KOE322")!
    public static let invalidToken = KakaoErrorCode(kapi: -401)
    public static let insufficientScopes = KakaoErrorCode(kapi: -402)
    /// -101: the user is not connected to the app (an unlink of a user who already left).
    public static let notConnected = KakaoErrorCode(kapi: -101)
    public static let quotaExceeded = KakaoErrorCode(kapi: -10)
    public static let underMaintenance = KakaoErrorCode(kapi: -9798)

    /// What this code says went wrong; nil for a code this client does not know.
    var problem: KakaoProblem? {
        switch rawValue {
        case "KOE003", "-1", "-7", "-603", "-9798": .unavailable
        case "KOE237", "-10": .rateLimited
        case "KOE320", "KOE322": .grantRejected
        case "KOE303", "KOE006": .redirectURIMismatch
        case "KOE004", "KOE005", "KOE008", "KOE009", "KOE010", "KOE101", "KOE102", "KOE114", "KOE126", "KOE127", "KOE205",
            "-3", "-5", "-6", "-9", "-11", "-12", "-401", "-903":
            .appMisconfigured
        case "-402": .consentMissing
        case "-4", "-101", "-103", "-405", "-406": .accountRestricted
        case "KOE001", "KOE310", "KOE319", "-2", "-8", "-102", "-201": .requestRefused
        default: nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
