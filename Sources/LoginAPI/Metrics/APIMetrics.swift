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
///   waits included.
struct APIMetrics: Sendable {
    let factory: any MetricsFactory
    private let enqueuedNew: Counter
    private let enqueuedRepeat: Counter

    init(factory: (any MetricsFactory)?) {
        self.factory = factory ?? MetricsSystem.factory
        enqueuedNew = Counter(label: "login_api_logins_enqueued_total", dimensions: [("result", "new")], factory: self.factory)
        enqueuedRepeat = Counter(
            label: "login_api_logins_enqueued_total", dimensions: [("result", "repeat")], factory: self.factory)
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        Counter(
            label: "login_api_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))],
            factory: factory
        ).increment()
        Timer(
            label: "login_api_request_duration_seconds", dimensions: [("route", route), ("method", method)],
            preferredDisplayUnit: .seconds, factory: factory
        ).record(duration: duration)
    }

    func recordEnqueued(isNew: Bool) {
        (isNew ? enqueuedNew : enqueuedRepeat).increment()
    }

    func recordPollAnswer(status: String, failureCode: LoginFailureCode?, duration: Duration) {
        Counter(
            label: "login_api_poll_answers_total",
            dimensions: [("status", status), ("failure_code", failureCode?.rawValue ?? "")], factory: factory
        ).increment()
        Timer(
            label: "login_api_poll_duration_seconds", dimensions: [("status", status)], preferredDisplayUnit: .seconds,
            factory: factory
        ).record(duration: duration)
    }
}
