import Foundation

extension PostgresConfiguration {
    /// The hosts libpq would connect to: the connection string's `host` and `hostaddr` (each may
    /// be a comma-separated list), else `PGHOST`/`PGHOSTADDR`, else libpq's default (a Unix
    /// socket). A value starting with `/` is a socket folder.
    public func hosts() throws -> [String] {
        let given = try connectionString.map(ConnectionString.parse) ?? [:]
        let defaults = ConnectionString.defaults()
        let values = [given["host"], given["hostaddr"]].compactMap { $0 }.filter { !$0.isEmpty }
        let chosen = values.isEmpty ? [defaults["host"], defaults["hostaddr"]].compactMap { $0 }.filter { !$0.isEmpty } : values
        let hosts = chosen.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        return hosts.isEmpty ? ["/var/run/postgresql"] : hosts
    }

    /// Whether every host is on this machine: a Unix socket, `localhost`, `127.0.0.0/8` or `::1`.
    /// `kakao-login dev` refuses any other database unless told, so the emulator's made-up
    /// identities never reach a shared one.
    public func isLocal() throws -> Bool {
        try hosts().allSatisfy { host in
            let host = host.lowercased()
            return host.hasPrefix("/") || host.hasPrefix("@") || host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }
}
