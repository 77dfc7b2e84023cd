import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread that waits, with `poll(2)`, on the sockets of many libpq connections in
/// non-blocking mode, and finishes their statements when the server answers.
///
/// A statement is sent by the task that runs it (`PQsendQueryPrepared` on a non-blocking
/// connection does not block); this loop reads the answer (`PQconsumeInput`, `PQgetResult`,
/// which do not block either) and resumes the task. One wake-up serves every connection that
/// became readable, so under load there is far less than one thread switch per statement,
/// where a thread per blocking call costs two or three. The loop also watches idle
/// connections: one the server speaks on unasked (a FATAL before closing: restart,
/// `pg_terminate_backend`) is marked dead at once, and a LISTEN connection's notifications are
/// delivered from here.
///
/// `@unchecked Sendable`: `connections`, `version` and `stopping` are guarded by `lock`; the
/// pipe descriptors are immutable and closed only after the loop thread has ended.
final class LibPQEventLoop: @unchecked Sendable {
    private let lock = NIOLock()
    private var connections: [UInt64: LibPQConnection] = [:]
    /// Bumped on every change the poll set must reflect (registration, write interest).
    private var version: UInt64 = 0
    private var stopping = false
    private var started = false
    private var descriptorsClosed = false
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let thread = NIOThreadPool(numberOfThreads: 1)

    init() {
        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) == 0 {
            for descriptor in descriptors {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeRead = descriptors[0]
        wakeWrite = descriptors[1]
    }

    /// Starts the loop thread (idempotent).
    func start() {
        let first = lock.withLock { () -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        thread.start()
        thread.submit { _ in self.run() }
    }

    /// Stops the loop thread and waits for it. Connections still registered are not touched.
    /// Idempotent: the pipe is closed exactly once (a second `close` of the same numbers could
    /// close descriptors the process has since reused).
    func shutdown() async {
        let (wasStarted, alreadyStopping) = lock.withLock { () -> (Bool, Bool) in
            defer { stopping = true }
            return (started, stopping)
        }
        guard !alreadyStopping else { return }
        wake()
        if wasStarted { try? await thread.shutdownGracefully() }
        closePipe()
    }

    private func closePipe() {
        let close = lock.withLock { () -> Bool in
            defer { descriptorsClosed = true }
            return !descriptorsClosed
        }
        guard close else { return }
        if wakeRead >= 0 { closeDescriptor(wakeRead) }
        if wakeWrite >= 0 { closeDescriptor(wakeWrite) }
    }

    deinit {
        // Never started, or shut down: either way the thread is not using the pipe.
        if !descriptorsClosed {
            if wakeRead >= 0 { closeDescriptor(wakeRead) }
            if wakeWrite >= 0 { closeDescriptor(wakeWrite) }
        }
    }

    func register(_ connection: LibPQConnection) {
        lock.withLock {
            connections[connection.token] = connection
            version &+= 1
        }
        wake()
    }

    func unregister(_ token: UInt64) {
        lock.withLock {
            connections[token] = nil
            version &+= 1
        }
        wake()
    }

    /// A connection's write interest changed (it has unsent data, or no longer has).
    func interestChanged() {
        lock.withLock { version &+= 1 }
        wake()
    }

    private func wake() {
        lock.withLock {
            guard !descriptorsClosed else { return }
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    private func run() {
        var cachedVersion: UInt64 = .max
        var descriptors: [pollfd] = []
        var entries: [LibPQConnection] = []
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            let (stop, currentVersion, registered) = lock.withLock { () -> (Bool, UInt64, [LibPQConnection]?) in
                if stopping { return (true, version, nil) }
                return (false, version, version == cachedVersion ? nil : Array(connections.values))
            }
            if stop { return }
            if let registered {
                descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                entries = []
                for connection in registered {
                    guard let (descriptor, wantsWrite) = connection.pollInterest() else { continue }
                    let events = Int16(POLLIN) | (wantsWrite ? Int16(POLLOUT) : 0)
                    descriptors.append(pollfd(fd: descriptor, events: events, revents: 0))
                    entries.append(connection)
                }
                cachedVersion = currentVersion
            }
            for index in descriptors.indices { descriptors[index].revents = 0 }
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[0].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            for index in 1..<descriptors.count where descriptors[index].revents != 0 {
                entries[index - 1].handleReadiness(descriptors[index].revents)
            }
        }
    }
}

/// `close(2)`, spelled so that it does not clash with methods named `close`.
@discardableResult
func closeDescriptor(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #elseif canImport(Darwin)
    Darwin.close(descriptor)
    #endif
}
