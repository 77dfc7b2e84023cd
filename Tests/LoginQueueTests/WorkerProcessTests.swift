import Foundation
import KakaoEmulator
import Postgres
import TestSupport
import Testing

@testable import LoginQueue

/// Real `kakao-login worker` processes, killed for real.
@Suite("Worker processes")
struct WorkerProcessTests {
    @Test("a worker killed with SIGKILL after the checkpoint: another worker resumes at user/me, no second presentation")
    func killedAfterCheckpoint() async throws {
        try await QueueHarness.run { harness in
            try harness.faults(KakaoEmulatorFaults(latencyMs: 1500))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let worker = try WorkerProcess(concurrency: 4, environment: try harness.workerEnvironment())
            try await waitUntil("the job is checkpointed") {
                try await harness.job(enqueued.loginID, "stage", as: String.self) == "profile"
            }
            worker.kill()
            try await worker.waitForExit()
            #expect(try await harness.job(enqueued.loginID, "state", as: String.self) == "running")
            try harness.faults(.none)
            try await harness.withWorker(QueueHarness.workerConfiguration(lease: .seconds(2))) {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                #expect(result.success != nil, "worker log: \(worker.log)")
            }
            #expect(harness.emulator.stats.tokenRequestsTotal == 1)
            #expect(harness.emulator.stats.codesPresentedMoreThanOnce == 0)
            #expect(try await harness.job(enqueued.loginID, "attempt", as: Int16.self) == 2)
        }
    }

    @Test("a worker killed with SIGKILL after sending the code: the rescue presents it again and ends as specified")
    func killedAfterSending() async throws {
        try await QueueHarness.run { harness in
            try harness.faults(KakaoEmulatorFaults(latencyMs: 1500))
            let (attempt, enqueued) = try await harness.enqueueLogin()
            let worker = try WorkerProcess(concurrency: 4, environment: try harness.workerEnvironment())
            try await waitUntil("the token request is in flight") {
                harness.emulator.stats.faultsLatencyTotal >= 1
            }
            worker.kill()
            try await worker.waitForExit()
            #expect(try await harness.job(enqueued.loginID, "stage", as: String.self) == "exchange")
            #expect(try await harness.job(enqueued.loginID, "exchange_sent_at", as: Date?.self) != nil)
            try harness.faults(.none)
            try await harness.withWorker(QueueHarness.workerConfiguration(lease: .seconds(2))) {
                let result = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
                // The killed worker's request reached Kakao, whose answer nobody received: the
                // outcome was unknown, so presenting again was allowed; whether Kakao had spent the
                // code decides between success and exchange_interrupted — never authorization_code_invalid.
                switch result {
                case .succeeded: break
                case .failed(.exchangeInterrupted, let providerError, _): #expect(providerError == "KOE320")
                default: Issue.record("unexpected result \(result)")
                }
            }
            #expect(harness.emulator.stats.tokenRequestsTotal >= 1)
        }
    }

    @Test("three worker processes on 1,000 jobs: each job done exactly once")
    func threeWorkersThousandJobs() async throws {
        // A long deadline: on a loaded test machine, enqueueing 1,000 logins alone takes a while.
        let queue = LoginQueueConfiguration(jobDeadline: .seconds(900))
        try await QueueHarness.run(queue: queue) { harness in
            var logins: [(ReaderToken, UUID)] = []
            for _ in 0..<1000 {
                let (attempt, enqueued) = try await harness.enqueueLogin()
                logins.append((attempt.reader, enqueued.loginID))
            }
            let environment = try harness.workerEnvironment(lease: "10")
            let workers = try (0..<3).map { _ in try WorkerProcess(concurrency: 32, environment: environment) }
            try await waitUntil("every job finished", limit: .seconds(240)) {
                try await harness.pool.query("SELECT count(*) AS n FROM login_jobs WHERE finished_at IS NULL").single()
                    .decode(Int.self, "n") == 0
            }
            for worker in workers { worker.kill(SIGTERM) }
            for worker in workers { #expect(try await worker.waitForExit() == 0, "worker log: \(worker.log)") }
            let summary = try await harness.pool.query(
                """
                SELECT count(*) FILTER (WHERE state = 'succeeded') AS succeeded, max(attempt) AS max_attempt,
                       (SELECT count(*) FROM users) AS users
                FROM login_jobs
                """
            ).single()
            let outcomes = try await harness.pool.query(
                "SELECT state || coalesce(':' || failure_code, '') || coalesce(':' || provider_error, '') AS outcome, count(*) AS n FROM login_jobs GROUP BY 1"
            ).map { "\(try $0.decode(String.self, "outcome"))=\(try $0.decode(Int.self, "n"))" }
            #expect(try summary.decode(Int.self, "succeeded") == 1000, "outcomes: \(outcomes)")
            #expect(try summary.decode(Int16.self, "max_attempt") == 1)
            #expect(try summary.decode(Int.self, "users") == 1000)
            #expect(harness.emulator.stats.tokenRequestsTotal == 1000)
            #expect(harness.emulator.stats.codesPresentedMoreThanOnce == 0)
            let (reader, loginID) = try #require(logins.last)
            #expect(try await harness.jobs.read(loginID: loginID, readerToken: reader)?.success != nil)
        }
    }

    @Test("SIGTERM stops a worker gracefully: it exits 0 and leaves no job leased; its metrics port answers, pauses included")
    func gracefulSigterm() async throws {
        try await QueueHarness.run { harness in
            let port = try FreePort.next()
            let worker = try WorkerProcess(
                concurrency: 4,
                arguments: ["--metrics-port", String(port), "--metrics-host", "127.0.0.1"],
                environment: try harness.workerEnvironment()
            )
            let (attempt, enqueued) = try await harness.enqueueLogin()
            _ = try await harness.waitForResult(enqueued.loginID, reader: attempt.reader)
            let base = "http://127.0.0.1:\(port)"
            #expect(try await HTTPGet.text(base + "/healthz").status == 200)
            #expect(try await HTTPGet.text(base + "/readyz").status == 200)
            let metrics = try await HTTPGet.text(base + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("login_jobs_total{"))
            #expect(metrics.body.contains("outcome=\"succeeded\""))
            #expect(metrics.body.contains("login_provider_call_duration_seconds"))
            #expect(metrics.body.contains("login_queue_wait_seconds"))
            // An operator's pause shows on /readyz (still ready: a paused worker is healthy) and as a gauge.
            _ = try await QueueOperations(pool: harness.pool).pause(provider: "*", reason: nil)
            try await waitUntil("/readyz reports the pause") {
                try await HTTPGet.text(base + "/readyz").body == #"{"status":"ready","paused":["*"]}"#
            }
            #expect(try await HTTPGet.text(base + "/metrics").body.contains(#"login_queue_paused{provider="*"} 1"#))
            worker.kill(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "worker log: \(worker.log)")
            #expect(
                try await harness.pool.query("SELECT count(*) AS n FROM login_jobs WHERE state = 'running'").single()
                    .decode(Int.self, "n") == 0
            )
        }
    }

    @Test("EVENT_LOOP_THREADS sizes a worker's NIO event loops: one by default, three when asked", arguments: [nil, "3"] as [String?])
    func eventLoopThreads(setting: String?) async throws {
        try await QueueHarness.run { harness in
            let port = try FreePort.next()
            var environment = try harness.workerEnvironment()
            environment["EVENT_LOOP_THREADS"] = setting
            let worker = try WorkerProcess(
                concurrency: 2,
                arguments: ["--metrics-port", String(port), "--metrics-host", "127.0.0.1"],
                environment: environment
            )
            try await waitUntil("the worker is ready") { (try? await HTTPGet.text("http://127.0.0.1:\(port)/readyz"))?.status == 200 }
            let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker.pid)/task").filter { task in
                let name = (try? String(contentsOfFile: "/proc/\(worker.pid)/task/\(task)/comm", encoding: .utf8)) ?? ""
                return name.hasPrefix("NIO-SGLTN-")
            }
            #expect(threads.count == Int(setting ?? "1"), "worker log: \(worker.log)")
            worker.kill(SIGTERM)
            #expect(try await worker.waitForExit() == 0, "worker log: \(worker.log)")
        }
    }

    @Test("a worker without sealing keys refuses to start with one line naming the setting")
    func refusesWithoutSealingKeys() async throws {
        try await QueueHarness.run { harness in
            var environment = try harness.workerEnvironment()
            environment["LOGIN_SEALING_KEYS"] = ""
            let worker = try WorkerProcess(concurrency: 1, environment: environment)
            #expect(try await worker.waitForExit() != 0)
            let lines = worker.log.split(separator: "\n")
            #expect(lines.count == 1, "log: \(worker.log)")
            #expect(worker.log.contains("LOGIN_SEALING_KEYS"))
        }
    }
}
