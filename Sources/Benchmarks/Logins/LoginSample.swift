import NIOCore

/// One login as `bench logins` saw it.
struct LoginSample: Sendable {
    enum Outcome: Sendable, Equatable {
        case succeeded
        /// A refused step or a failed login; the reason is a short label (`login:failed:…`,
        /// `start:http_429:rate_limited`).
        case failed(String)
        /// A connection closed or broke during `step`; the browser opens new ones.
        case connectionLost(String)
    }

    var outcome: Outcome = .failed("not_started")
    /// The synthetic Kakao user the code was minted for (a fresh one per login).
    var userID: String?
    /// When `POST /auth/kakao/start` answered 200.
    var startedAt: NIODeadline?
    /// When the `POST /auth/kakao/login` of the code was written.
    var codePostedAt: NIODeadline?
    /// When the answer that ended the login arrived (or the step that failed ended).
    var endedAt = NIODeadline.now()

    var succeeded: Bool { outcome == .succeeded }

    /// POST of the code → the answer that ended the login, when it got that far.
    var latency: TimeAmount? { codePostedAt.map { endedAt - $0 } }
}
