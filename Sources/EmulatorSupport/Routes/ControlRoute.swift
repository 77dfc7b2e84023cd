/// The `/_emulator/*` routes every emulator serves (loopback peers only): the shared handlers
/// are ``ControlRoutes``; codes and stats are each emulator's own.
package enum ControlRoute: String, EmulatorRouteTable {
    case codes = "POST /_emulator/codes"
    case stats = "GET /_emulator/stats"
    case elapsed = "GET /_emulator/elapsed"
    case faults = "GET /_emulator/faults"
    case setFaults = "POST /_emulator/faults"
    case clock = "POST /_emulator/clock"
    case rotateKey = "POST /_emulator/keys/rotate"
}
