/// The one error type of the emulators: a configuration they cannot use, or a server that did
/// not start. Its `description` says what to fix. (`KakaoEmulatorError` and `GoogleEmulatorError`
/// are this type.)
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    /// A stable code to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case invalidConfiguration, invalidFaults, serverNotStarted }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The configuration (file or flags) is not usable.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Fault settings out of range (a rate outside 0…1, rates adding up to more than 1, …).
        public static let invalidFaults = Code(.invalidFaults)
        /// The HTTP server stopped before it was listening (port in use, bad host, …).
        public static let serverNotStarted = Code(.serverNotStarted)

        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// What to fix, in words.
    public let message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
