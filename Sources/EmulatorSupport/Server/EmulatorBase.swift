import Logging

/// What every emulator is built on: the shared runtime (counters, faults, clock, elapsed times,
/// base URL), the signing keys, the server's name and logger. Public only so that the API the
/// emulators share (``ProviderEmulator``) is written once; opaque outside this package.
public struct EmulatorBase: Sendable {
    package let runtime: EmulatorRuntime
    package let keys: RS256KeySet
    package let serverName: String
    package let logger: Logger

    package init(runtime: EmulatorRuntime, keys: RS256KeySet, serverName: String, logger: Logger) {
        self.runtime = runtime
        self.keys = keys
        self.serverName = serverName
        self.logger = logger
    }
}
