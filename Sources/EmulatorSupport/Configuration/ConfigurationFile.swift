import Foundation

/// An emulator's configuration: read from JSON, then checked as a whole.
package protocol CheckedConfiguration: Decodable {
    func validate() throws(EmulatorError)
}

/// Reading an emulator's JSON configuration file: snake_case members, each optional with the
/// same default as the Swift initialiser, and errors that name the member at fault.
package enum ConfigurationFile {
    /// Reads, decodes and checks the file at `path`.
    package static func load<T: CheckedConfiguration>(_ type: T.Type, contentsOf path: String) throws(EmulatorError) -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw EmulatorError(.invalidConfiguration, "cannot read the configuration file \(path)")
        }
        return try decode(type, json: data)
    }

    /// Decodes and checks JSON text.
    package static func decode<T: CheckedConfiguration>(_ type: T.Type, json data: Data) throws(EmulatorError) -> T {
        let configuration: T
        do {
            configuration = try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw EmulatorError(.invalidConfiguration, "the configuration JSON does not fit: \(describe(error))")
        } catch let error as EmulatorError {
            throw error
        } catch {
            throw EmulatorError(.invalidConfiguration, "the configuration is not JSON")
        }
        try configuration.validate()
        return configuration
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): "wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context): "unreadable value at \(path(context.codingPath))"
        @unknown default: "unreadable"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

/// A JSON member name as written in the file.
package struct SnakeKey: CodingKey {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(_ name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == SnakeKey {
    /// The member's value, or `fallback` when it is absent or null.
    package func value<T: Decodable>(_ name: String, default fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: SnakeKey(name)) ?? fallback()
    }

    /// The member's value, nil when absent or null.
    package func optional<T: Decodable>(_ name: String) throws -> T? {
        try decodeIfPresent(T.self, forKey: SnakeKey(name))
    }
}
