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
///
/// The loop is also a `TaskExecutor`. A task that prefers it (`withTaskExecutorPreference`)
/// resumes on this thread right after its answer was read, and sends its next statement from
/// here: no thread switch at all between a statement and the next. Such a task must not block:
/// while it runs, no connection of the pool is read.
///
/// `@unchecked Sendable`: `connections`, `version`, `jobs`, `sleeping`, `jobsClosed`,
/// `stopping` and `loopThread` are guarded by `lock`; the pipe descriptors are immutable and
/// closed only after the loop thread has ended.
final class LibPQEventLoop: TaskExecutor, @unchecked Sendable {
    private let lock = NIOLock()
    private var connections: [UInt64: LibPQConnection] = [:]
    /// Bumped on every change the poll set must reflect (registration, write interest).
    private var version: UInt64 = 0
    /// Jobs of tasks that prefer this executor, run in order between two polls (on the global
    /// executor before the loop has started and after it has ended).
    private var jobs: [UnownedJob] = []
    /// The loop is in (or about to enter) `poll` without a timeout: wake it to get its attention.
    private var sleeping = false
    /// The loop has ended: jobs go to the global executor instead.
    private var jobsClosed = false
    private var stopping = false
    /// The loop's thread, once it runs.
    private var loopThread: pthread_t?
    private var started = false
    private var descriptorsClosed = false
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let thread = NIOThreadPool(numberOfThreads: 1)
    /// `poll`'s timeout when nothing is queued: none, unless the wake-up pipe could not be
    /// made (no descriptor left), in which case the loop looks for changes every 10 ms.
    private let idleTimeout: Int32

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
        idleTimeout = wakeRead < 0 ? 10 : -1
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

    /// Whether the caller runs on the loop's thread (a job of a task that prefers this executor,
    /// or the loop reading answers). Nothing that blocks may run there.
    var inLoopThread: Bool {
        let current = pthread_self()
        return lock.withLock { loopThread.map { pthread_equal($0, current) != 0 } ?? false }
    }

    /// Runs `job` on the loop thread, between two polls (the `TaskExecutor` requirement).
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = lock.withLock { () -> Bool in
            // Before `start()` (the pool's `run()`) nothing would run it; after the end, nothing will.
            guard started, !jobsClosed else { return false }
            jobs.append(job)
            wakeIfSleeping()
            return true
        }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    private func wake() {
        lock.withLock { wakeIfSleeping() }
    }

    /// Writes to the pipe when the loop waits in `poll`, once per wait: a loop that is running
    /// will see the change before it polls again. Call with `lock` held.
    private func wakeIfSleeping() {
        guard sleeping, !descriptorsClosed, wakeWrite >= 0 else { return }
        sleeping = false
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func run() {
        var cachedVersion: UInt64 = .max
        var descriptors: [pollfd] = []
        var entries: [LibPQConnection] = []
        var drain = [UInt8](repeating: 0, count: 256)
        let current = pthread_self()
        lock.withLock { loopThread = current }
        while true {
            let (stop, runnable) = lock.withLock { () -> (Bool, [UnownedJob]) in
                sleeping = false
                if stopping { jobsClosed = true }
                defer { jobs.removeAll(keepingCapacity: true) }
                return (stopping, jobs)
            }
            // Jobs left at the end still run here; any they enqueue go to the global executor.
            for job in runnable { job.runSynchronously(on: asUnownedTaskExecutor()) }
            if stop { return }
            let (currentVersion, registered, idle) = lock.withLock { () -> (UInt64, [LibPQConnection]?, Bool) in
                // With jobs queued (by the jobs just run), or a stop requested since the check
                // above (its wake-up found the loop awake, so wrote nothing), only look at the
                // sockets: the next turn runs them, or ends.
                sleeping = jobs.isEmpty && !stopping
                return (version, version == cachedVersion ? nil : Array(connections.values), sleeping)
            }
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
            let ready = poll(&descriptors, nfds_t(descriptors.count), idle ? idleTimeout : 0)
            // Awake: the jobs the answers below resume need no wake-up byte.
            if idle { lock.withLock { sleeping = false } }
            if ready < 0 {
                // EINTR, or ENOMEM (the kernel could not allocate): try again. The loop never
                // ends while connections may be waiting on it.
                if errno != EINTR { usleep(1_000) }
                continue
            }
            if descriptors[0].revents != 0, wakeRead >= 0 {
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
