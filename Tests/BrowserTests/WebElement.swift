/// A reference to an element of the current page, as WebDriver returns it
/// (`{"element-6066-11e4-a52e-4f735466cecf": "<id>"}`). It goes stale when the page changes.
struct WebElement: Sendable, Hashable, Codable {
    /// The W3C key under which WebDriver passes element references.
    static let identifierKey = "element-6066-11e4-a52e-4f735466cecf"

    let id: String

    init(id: String) {
        self.id = id
    }

    /// Reads a reference out of a command's `value`.
    init?(_ value: JSONValue) {
        guard let id = value[Self.identifierKey]?.stringValue else { return nil }
        self.id = id
    }

    /// The reference as a script argument (`arguments[0]` is then the DOM element).
    var jsonValue: JSONValue {
        [Self.identifierKey: .string(id)]
    }
}
