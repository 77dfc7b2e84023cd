import LoginQueue
import Metrics

/// The API's metrics, with Prometheus-ready names and a fixed set of label names per metric:
///
/// - `login_api_requests_total{route, method, status}`: every answer, by route *template*;
/// - `login_api_request_duration_seconds{route, method}`;
/// - `login_api_logins_enqueued_total{result}`: `new`, or `repeat` for a re-post of the same code;
/// - `login_api_poll_answers_total{status, failure_code}`: poll answers (`failure_code` empty
///   unless `status="failed"`);
/// - `login_api_poll_duration_seconds{status}`: from the poll's arrival to its answer, long
///   waits included;
/// - `login_api_polls_waiting`: long-polls waiting now;
/// - `login_api_polls_answered_at_once_total`: polls over a client's or a login's bound, answered
///   without waiting.
struct APIMetrics: Sendable {
    private let enqueuedNew: Counter
    private let enqueuedRepeat: Counter
    private let requests: MetricHandles<[String], Counter>
    private let requestDurations: MetricHandles<[String], Timer>
    private let pollAnswers: MetricHandles<[String], Counter>
    private let pollDurations: MetricHandles<String, Timer>
    private let pollsWaiting: Gauge
    private let pollsAnsweredAtOnce: Counter

    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        enqueuedNew = Counter(label: "login_api_logins_enqueued_total", dimensions: [("result", "new")], factory: factory)
        pollsWaiting = Gauge(label: "login_api_polls_waiting", factory: factory)
        pollsAnsweredAtOnce = Counter(label: "login_api_polls_answered_at_once_total", factory: factory)
        enqueuedRepeat = Counter(label: "login_api_logins_enqueued_total", dimensions: [("result", "repeat")], factory: factory)
        requests = MetricHandles { key in
            Counter(
                label: "login_api_requests_total",
                dimensions: [("route", key[0]), ("method", key[1]), ("status", key[2])],
                factory: factory
            )
        }
        requestDurations = MetricHandles { key in
            Timer(
                label: "login_api_request_duration_seconds",
                dimensions: [("route", key[0]), ("method", key[1])],
                preferredDisplayUnit: .seconds,
                factory: factory
            )
        }
        pollAnswers = MetricHandles { key in
            Counter(label: "login_api_poll_answers_total", dimensions: [("status", key[0]), ("failure_code", key[1])], factory: factory)
        }
        pollDurations = MetricHandles { status in
            Timer(
                label: "login_api_poll_duration_seconds",
                dimensions: [("status", status)],
                preferredDisplayUnit: .seconds,
                factory: factory
            )
        }
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        requests[[route, method, String(status)]].increment()
        requestDurations[[route, method]].record(duration: duration)
    }

    func recordEnqueued(isNew: Bool) {
        (isNew ? enqueuedNew : enqueuedRepeat).increment()
    }

    func recordPollAnswer(status: String, failureCode: LoginFailureCode?, duration: Duration) {
        pollAnswers[[status, failureCode?.rawValue ?? ""]].increment()
        pollDurations[status].record(duration: duration)
    }

    /// Long-polls waiting now.
    func recordWaitingPolls(_ count: Int) { pollsWaiting.record(count) }

    /// A poll over its bound, answered without waiting.
    func recordPollAnsweredAtOnce() { pollsAnsweredAtOnce.increment() }
}
