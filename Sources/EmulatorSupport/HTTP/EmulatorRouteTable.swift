import HTTPTypes

/// An emulator's routes as an enum of `"METHOD /path"` strings: the router registers exactly
/// these and the counters count the requests to each of their paths, so no served path goes
/// uncounted.
package protocol EmulatorRouteTable: RawRepresentable<String>, CaseIterable {}

extension EmulatorRouteTable {
    package var method: HTTPRequest.Method { rawValue.hasPrefix("POST ") ? .post : .get }

    package var path: String { String(rawValue.drop { $0 != "/" }) }
}
