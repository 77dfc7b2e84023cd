import Foundation
import Logging
import LoginQueue
import Postgres
import ServiceLifecycle

/// The API process's one `LISTEN login_done` connection, as a `Service`: each notification
/// (payload: the `login_id`) wakes that login's polls in ``LoginWaiters``; a (re)connection wakes
/// them all, since notifications sent while it was away are lost. On graceful shutdown it stops
/// and makes every poll answer at once.
public struct LoginDoneListener: Service {
    let listener: PostgresListener
    let waiters: LoginWaiters
    let logger: Logger

    /// - Parameter configuration: where to connect; a dedicated connection, not a pooled one.
    public init(configuration: PostgresConfiguration, waiters: LoginWaiters, logger: Logger) {
        self.listener = PostgresListener(configuration: configuration, channels: [LoginNotifications.doneChannel], logger: logger)
        self.waiters = waiters
        self.logger = logger
    }

    public func run() async throws {
        defer {
            waiters.setListening(false)
            waiters.close()
        }
        for try await event in listener {
            switch event {
            case .listening, .reconnected:
                waiters.setListening(true)
                waiters.wakeAll()
            case .notification(_, let payload):
                if let loginID = UUID(uuidString: payload) {
                    waiters.wake(loginID)
                } else {
                    logger.debug("login.done.malformed_payload")
                }
            }
        }
    }
}
