import Foundation
import Synchronization

/// Prints the banner once every server of `kakao-login dev` listens (the API, and the emulator
/// when it runs). Written straight to standard output, unbuffered, so a script or a test that
/// waits for it sees it at once.
final class DevReadiness: Sendable {
    private let remaining: Mutex<Int>
    private let banner: String

    /// - Parameter servers: how many servers must listen before the banner is printed.
    init(servers: Int, banner: String) {
        self.remaining = Mutex(servers)
        self.banner = banner
    }

    /// One server listens.
    func serverListening() {
        let last = remaining.withLock { remaining -> Bool in
            remaining -= 1
            return remaining == 0
        }
        if last { FileHandle.standardOutput.write(Data(banner.utf8)) }
    }
}
