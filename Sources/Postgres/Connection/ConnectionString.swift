import CLibPQ
import Foundation

/// Parsing connection strings with libpq's own parser, building `PQconnectdbParams` arrays,
/// and scrubbing libpq messages so they never repeat a password.
enum ConnectionString {
    /// Parses a URI or `key=value` string with `PQconninfoParse`; returns the keywords it sets.
    static func parse(_ string: String) throws -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(string, &errorMessage) else {
            let raw = errorMessage.map { String(cString: $0) } ?? "libpq could not parse it"
            if let errorMessage { PQfreemem(errorMessage) }
            let safe = scrub(raw, connectionString: string, redactQuotedValues: true)
            throw PostgresError(.invalidConfiguration, "malformed connection string: \(safe)")
        }
        defer { PQconninfoFree(options) }
        return read(options)
    }

    /// libpq's defaults, which include the `PG*` environment variables.
    static func defaults() -> [String: String] {
        guard let options = PQconndefaults() else { return [:] }
        defer { PQconninfoFree(options) }
        return read(options)
    }

    /// Every keyword libpq knows (`host`, `port`, `sslmode`, …).
    static let knownKeywords: Set<String> = {
        guard let options = PQconndefaults() else { return [] }
        defer { PQconninfoFree(options) }
        var names: Set<String> = []
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            names.insert(String(cString: keyword))
            cursor += 1
        }
        return names
    }()

    private static func read(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [String: String] {
        var result: [String: String] = [:]
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                let text = String(cString: value)
                if !text.isEmpty { result[String(cString: keyword)] = text }
            }
            cursor += 1
        }
        return result
    }

    /// The keyword/value pairs handed to `PQconnectdbParams` with `expand_dbname = 1`.
    ///
    /// Order matters (libpq: "the last value wins"): `application_name` and `connect_timeout`
    /// come before the expanded `dbname` so the connection string can override them; a
    /// ``PostgresConfiguration/database`` override comes after it as a second, plain `dbname`;
    /// `client_encoding` and the merged `options` come after it, the latter holding our `-c`
    /// settings first and the connection string's (or `PGOPTIONS`') own options last.
    static func connectParameters(for configuration: PostgresConfiguration) throws -> [(String, String)] {
        let parsed = try configuration.connectionString.map(parse) ?? [:]
        var pairs: [(String, String)] = []
        pairs.append(("application_name", configuration.applicationName))
        let timeoutSeconds = max(2, (configuration.connectTimeout.roundedUpMilliseconds + 999) / 1000)
        pairs.append(("connect_timeout", String(timeoutSeconds)))
        if let connectionString = configuration.connectionString {
            pairs.append(("dbname", connectionString))
        }
        if let database = configuration.database {
            // Only the first dbname is expanded as a connection string; this one is a plain name.
            if configuration.connectionString == nil { pairs.append(("dbname", "")) }
            pairs.append(("dbname", database))
        }
        pairs.append(("client_encoding", "UTF8"))

        var settings = configuration.throughTransactionPooler ? [] : sessionSettings(for: configuration)
        let userOptions = parsed["options"] ?? defaults()["options"]
        if let userOptions, !userOptions.isEmpty { settings.append(userOptions) }
        // Without session settings and without options of the operator's, no `options` at all:
        // PgBouncer 1.18 refuses the parameter even when it is empty.
        if !settings.isEmpty { pairs.append(("options", settings.joined(separator: " "))) }
        return pairs
    }

    /// The `-c` settings every session gets unless ``PostgresConfiguration/throughTransactionPooler``.
    static func sessionSettings(for configuration: PostgresConfiguration) -> [String] {
        var settings = ["-c TimeZone=UTC", "-c DateStyle=ISO", "-c bytea_output=hex", "-c IntervalStyle=iso_8601"]
        if let timeout = configuration.statementTimeout {
            settings.append("-c statement_timeout=\(timeout.roundedUpMilliseconds)")
        }
        if let timeout = configuration.idleInTransactionSessionTimeout {
            settings.append("-c idle_in_transaction_session_timeout=\(timeout.roundedUpMilliseconds)")
        }
        if let timeout = configuration.lockTimeout {
            settings.append("-c lock_timeout=\(timeout.roundedUpMilliseconds)")
        }
        return settings
    }

    // MARK: scrubbing

    /// Makes a libpq message safe to show: one line, every known password replaced by `***`,
    /// and with `redactQuotedValues` every double-quoted fragment that is not a keyword replaced
    /// by `"…"` (libpq's parse errors quote pieces of the string, and can quote all of it).
    static func scrub(_ message: String, connectionString: String?, redactQuotedValues: Bool = false) -> String {
        var text = oneLine(message)
        for secret in secrets(in: connectionString) where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        if redactQuotedValues {
            text = redactQuoted(text, connectionString: connectionString ?? "")
        }
        return text
    }

    /// libpq's text after a connection was lost during a statement. Since PostgreSQL 14 it also
    /// holds the server's errors for that statement, whose ERROR and DETAIL lines may quote row
    /// values: only libpq's own lines and FATAL ones are kept, quoted fragments redacted.
    static func scrubLostConnection(_ message: String, connectionString: String?) -> String {
        let serverDetail = ["ERROR:", "DETAIL:", "CONTEXT:", "HINT:", "LINE ", "STATEMENT:", "QUERY:", "^"]
        let kept = message.split(whereSeparator: { $0.isNewline }).filter { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            return !serverDetail.contains { text.hasPrefix($0) }
        }
        return scrub(kept.joined(separator: "\n"), connectionString: connectionString, redactQuotedValues: true)
    }

    /// Collapses libpq's multi-line messages (`…failed: …\n\tIs the server running…`) into one.
    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: { $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// Passwords that may appear in a message: the parsed `password`, the raw and
    /// percent-decoded URI user-info password, a raw `password=` value, and `PGPASSWORD`.
    static func secrets(in connectionString: String?) -> [String] {
        var found: [String] = []
        if let environmentPassword = ProcessInfo.processInfo.environment["PGPASSWORD"] {
            found.append(environmentPassword)
        }
        guard let string = connectionString else { return found }
        if let parsed = try? parseQuietly(string), let password = parsed["password"] {
            found.append(password)
        }
        // URI: scheme://user:password@host… (take the last '@' before the path).
        if let schemeEnd = string.range(of: "://") {
            let rest = string[schemeEnd.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    let raw = String(userInfo[userInfo.index(after: colon)...])
                    found.append(raw)
                    if let decoded = raw.removingPercentEncoding { found.append(decoded) }
                }
            }
            // ?password=… in the query part.
            if let query = rest.split(separator: "?", maxSplits: 1).dropFirst().first {
                for pair in query.split(separator: "&") where pair.hasPrefix("password=") {
                    let raw = String(pair.dropFirst("password=".count))
                    found.append(raw)
                    if let decoded = raw.removingPercentEncoding { found.append(decoded) }
                }
            }
        } else if let range = string.range(of: "password") {
            // key=value: password = 'quoted value' | bare-value
            var rest = string[range.upperBound...].drop { $0 == " " }
            if rest.first == "=" {
                rest = rest.dropFirst().drop { $0 == " " }
                if rest.first == "'" {
                    let body = rest.dropFirst().prefix { $0 != "'" }
                    found.append(String(body))
                } else {
                    found.append(String(rest.prefix { !$0.isWhitespace }))
                }
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        return found.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    private static func parseQuietly(_ string: String) throws -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(string, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.invalidConfiguration, "")
        }
        defer { PQconninfoFree(options) }
        return read(options)
    }

    private static func redactQuoted(_ text: String, connectionString: String) -> String {
        var output = ""
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "\"") {
            output += text[index...open]
            let afterOpen = text.index(after: open)
            guard let close = text[afterOpen...].firstIndex(of: "\"") else {
                // An unbalanced quote: drop the rest, it may be part of the string.
                return output + "…"
            }
            let fragment = String(text[afterOpen..<close])
            output += isSafeFragment(fragment, connectionString: connectionString) ? fragment : "…"
            output += "\""
            index = text.index(after: close)
        }
        output += text[index...]
        return output
    }

    /// A quoted fragment is kept when it is punctuation libpq names (`=`, `]`), a libpq keyword,
    /// or a word standing in key position in the string (`word=` at the start, after a space,
    /// `?` or `&`), which is how misspelled keywords appear.
    private static func isSafeFragment(_ fragment: String, connectionString: String) -> Bool {
        if fragment.count <= 1 { return true }
        if knownKeywords.contains(fragment) { return true }
        guard fragment.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return false }
        for prefix in ["", " ", "?", "&"] {
            let needle = prefix + fragment + "="
            if prefix.isEmpty {
                if connectionString.hasPrefix(needle) { return true }
            } else if connectionString.contains(needle) {
                return true
            }
        }
        return false
    }
}
