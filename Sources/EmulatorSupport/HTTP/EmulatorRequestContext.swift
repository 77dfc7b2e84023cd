import Hummingbird
import NIOCore

/// The request context of the emulators' routers: Hummingbird's core storage plus the
/// connection, which fault injection closes and `/_emulator/*` checks for a loopback peer.
public struct EmulatorRequestContext: RequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client connection.
    package let channel: any Channel
    /// The user this request acted for, once a handler knows (for ``ElapsedLedger``).
    package let attribution = RequestAttribution()

    /// Made by Hummingbird for each request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }

    /// Bodies are read by the handlers with their own bound (``RequestForm/maxBodyBytes``).
    public var maxUploadSize: Int { RequestForm.maxBodyBytes }
}
