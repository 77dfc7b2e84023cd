import Foundation

/// Where a bench sends its requests: `http://HOST:PORT` from a flag.
public struct BenchEndpoint: Sendable, Equatable {
    public let host: String
    public let port: Int

    /// The `Host` header of every request.
    var hostHeader: String { "\(host):\(port)" }

    /// Reads `http://HOST:PORT` (a trailing `/` is allowed); `loopbackOnly` also requires
    /// 127.0.0.1, localhost or ::1 (the emulator's `/_emulator/*` answers loopback peers only).
    /// `flag` names the flag the text came from, in the error.
    public init(_ text: String, flag: String, loopbackOnly: Bool = false) throws(BenchInputError) {
        guard let url = URLComponents(string: text), url.scheme == "http", let host = url.host, !host.isEmpty,
            let port = url.port, url.path.isEmpty || url.path == "/"
        else { throw BenchInputError("\(flag) must be http://HOST:PORT") }
        if loopbackOnly, !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw BenchInputError("\(flag) must be http://127.0.0.1:PORT (loopback only)")
        }
        self.host = host
        self.port = port
    }
}
