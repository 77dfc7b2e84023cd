import Foundation

/// Reads settings from flags and the environment (a flag wins), secrets from the environment or
/// from the file named by the variable with `_FILE` appended, and collects every problem instead
/// of stopping at the first, so `config check` can list them all at once.
struct SettingsReader {
    /// A setting that is wrong, named by its variable. Never carries a secret's value.
    struct Problem: Hashable, CustomStringConvertible {
        var variable: String
        var message: String
        var description: String { "\(variable): \(message)" }
    }

    let environment: [String: String]
    /// Values given as flags, keyed by the variable they override.
    let flags: [String: String]
    private(set) var problems: [Problem] = []

    init(environment: [String: String], flags: [String: String] = [:]) {
        self.environment = environment
        self.flags = flags
    }

    mutating func problem(_ variable: String, _ message: String) {
        problems.append(Problem(variable: variable, message: message))
    }

    /// A non-secret value: the flag, else the variable; empty counts as unset.
    func string(_ variable: String) -> String? {
        if let value = flags[variable], !value.isEmpty { return value }
        if let value = environment[variable], !value.isEmpty { return value }
        return nil
    }

    /// A secret: the variable, or the contents of the file named by `<variable>_FILE` (one
    /// trailing newline removed). Never read from flags.
    mutating func secret(_ variable: String) -> String? {
        let direct = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        let file = environment["\(variable)_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if direct != nil, file != nil {
            problem(variable, "set either \(variable) or \(variable)_FILE, not both")
            return nil
        }
        if let direct { return direct }
        guard let file else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            problem("\(variable)_FILE", "cannot read \(file)")
            return nil
        }
        checkPrivate(file, variable: "\(variable)_FILE")
        guard var text = String(data: data, encoding: .utf8) else {
            problem("\(variable)_FILE", "\(file) is not UTF-8 text")
            return nil
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        if text.isEmpty {
            problem("\(variable)_FILE", "\(file) is empty")
            return nil
        }
        return text
    }

    /// A key folder's `*.pem` files must not be readable by others either (the folder itself
    /// may be); an unreadable folder is left to the key loader to report.
    mutating func checkPrivateKeyFiles(in folder: String, variable: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names.sorted() where name.hasSuffix(".pem") {
            checkPrivate((folder as NSString).appendingPathComponent(name), variable: variable)
        }
    }

    /// A secret's file must be for its owner only (no group or other bits).
    private mutating func checkPrivate(_ path: String, variable: String) {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0
        {
            problem(variable, "\(path) is readable by others (mode \(String(permissions, radix: 8))); chmod 600 it")
        }
    }

    mutating func int(_ variable: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let text = string(variable) else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            problem(variable, "must be an integer in \(range.lowerBound)...\(range.upperBound), got \(text.debugDescription)")
            return value
        }
        return parsed
    }

    /// A duration in seconds; fractions allowed (`0.25`).
    mutating func seconds(_ variable: String, default value: Duration, range: ClosedRange<Double>) -> Duration {
        guard let text = string(variable) else { return value }
        guard let parsed = Double(text), range.contains(parsed) else {
            problem(variable, "must be a number of seconds in \(range.lowerBound)...\(range.upperBound), got \(text.debugDescription)")
            return value
        }
        return .milliseconds(Int64((parsed * 1000).rounded()))
    }

    mutating func bool(_ variable: String, default value: Bool) -> Bool {
        guard let text = string(variable) else { return value }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            problem(variable, "must be true or false, got \(text.debugDescription)")
            return value
        }
    }

    /// A comma-separated list, blanks removed.
    func list(_ variable: String) -> [String] {
        (string(variable) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A comma-separated list of redirect URIs: absolute, https (plain http only on loopback),
    /// without a fragment.
    mutating func redirectURIs(_ variable: String) -> [String] {
        let uris = list(variable)
        for uri in uris {
            guard let url = URL(string: uri), let scheme = url.scheme?.lowercased(), url.host?.isEmpty == false,
                scheme == "https" || scheme == "http"
            else {
                problem(variable, "\(uri.debugDescription) is not an absolute http(s) URL")
                continue
            }
            if scheme == "http", !Self.isLoopback(url.host ?? "") {
                problem(variable, "\(uri.debugDescription) must use https (plain http only on loopback)")
            }
            if url.fragment != nil { problem(variable, "\(uri.debugDescription) must not have a fragment") }
        }
        return uris
    }

    /// An absolute http(s) URL; plain http only for a loopback host.
    mutating func url(_ variable: String, default value: String, allowPath: Bool = false) -> URL? {
        let text = string(variable) ?? value
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            problem(variable, "must be an absolute URL, got \(text.debugDescription)")
            return nil
        }
        guard scheme == "https" || (scheme == "http" && Self.isLoopback(host)) else {
            problem(variable, "must use https (plain http only for a loopback host), got \(text.debugDescription)")
            return nil
        }
        if !allowPath, !url.path.isEmpty, url.path != "/" {
            problem(variable, "must be a base URL without a path, got \(text.debugDescription)")
            return nil
        }
        return url
    }

    /// An OTLP collector's base URL: absolute http(s), plain http allowed anywhere (spans carry
    /// no secret, and collectors often listen in plain http beside the process).
    mutating func otlpEndpoint(_ variable: String) -> URL? {
        guard let text = string(variable) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false, url.query == nil
        else {
            // Not echoed: a collector's URL may carry credentials.
            problem(variable, "must be an absolute http(s) URL without a query (http://collector:4318)")
            return nil
        }
        return url
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
