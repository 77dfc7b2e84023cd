/// Why sealing or opening failed. Never carries key material or the value.
public struct SealingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case noKeys = "sealing_no_keys"
            case invalidKeyID = "sealing_invalid_key_id"
            case invalidKeyLength = "sealing_invalid_key_length"
            case duplicateKeyID = "sealing_duplicate_key_id"
            case malformedSpecification = "sealing_malformed_specification"
            case malformedValue = "sealing_malformed_value"
            case unknownKeyID = "sealing_unknown_key_id"
            case sealFailed = "sealing_seal_failed"
            case openFailed = "sealing_open_failed"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        public static let noKeys = Code(.noKeys)
        public static let invalidKeyID = Code(.invalidKeyID)
        public static let invalidKeyLength = Code(.invalidKeyLength)
        public static let duplicateKeyID = Code(.duplicateKeyID)
        public static let malformedSpecification = Code(.malformedSpecification)
        public static let malformedValue = Code(.malformedValue)
        public static let unknownKeyID = Code(.unknownKeyID)
        public static let sealFailed = Code(.sealFailed)
        public static let openFailed = Code(.openFailed)

        public var description: String { value.rawValue }
    }

    public let code: Code

    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch code {
        case .noKeys: "no sealing key is configured (LOGIN_SEALING_KEYS)"
        case .invalidKeyID: "a sealing key id must be 1-64 characters of [A-Za-z0-9._-]"
        case .invalidKeyLength: "a sealing key must be 32 bytes (base64 of 32 random bytes)"
        case .duplicateKeyID: "two sealing keys have the same id"
        case .malformedSpecification: "LOGIN_SEALING_KEYS must look like kid:base64key,kid2:base64key2"
        case .malformedValue: "a sealed value is malformed"
        case .unknownKeyID: "a sealed value names a key that is not configured"
        case .sealFailed: "sealing failed"
        default: "a sealed value did not open (wrong key, row or column)"
        }
    }
}
