/// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it), for a child
/// server that needs its port before it starts.
public enum FreePort {
    public static func next() throws -> Int {
        let socket = try ListeningSocket()
        socket.close()
        return socket.port
    }
}
