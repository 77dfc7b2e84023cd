import Hummingbird

/// The `Cookie` header of a request (the emulators' account sessions).
package enum CookieHeader {
    /// The value of the cookie `name`, trimmed; nil when absent.
    package static func value(_ name: String, in request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingWhitespace == name {
                return parts[1].trimmingWhitespace
            }
        }
        return nil
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
