import Foundation
import LocalPostgres
import Postgres
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing

/// Collects a listener's events from a task, so a test can wait for the next one.
private final class EventCollector: Sendable {
    let events: AsyncStream<PostgresListenerEvent>
    let task: Task<Void, any Error>

    init(_ listener: PostgresListener) {
        let (events, continuation) = AsyncStream.makeStream(of: PostgresListenerEvent.self)
        self.events = events
        task = Task {
            defer { continuation.finish() }
            for try await event in listener { continuation.yield(event) }
        }
    }

    /// The next event (fails the test after a generous limit instead of hanging).
    func next() async throws -> PostgresListenerEvent {
        try await withThrowingTaskGroup(of: PostgresListenerEvent?.self) { group in
            group.addTask {
                var iterator = self.events.makeAsyncIterator()
                return await iterator.next()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let event = try await group.next() ?? nil
            group.cancelAll()
            guard let event else { throw TestSupportError("no listener event within 60 seconds") }
            return event
        }
    }
}

@Suite("LISTEN/NOTIFY", .serialized, .timeLimit(.minutes(3)))
struct ListenerTests {
    private func listenerConfiguration(_ base: PostgresConfiguration, _ name: String) -> PostgresConfiguration {
        base.with { $0.applicationName = name }
    }

    @Test("notifications arrive; channel names are quoted; payloads are verbatim")
    func delivery() async throws {
        let configuration = try await TestDatabase.shared.configuration(for: "listen")
        let channels = ["login_done", "Mixed \"Case\" 채널"]
        let listener = PostgresListener(
            configuration: configuration,
            channels: channels,
            logger: TestEnvironment.logger
        )
        let collector = EventCollector(listener)
        defer { collector.task.cancel() }
        #expect(try await collector.next() == .listening)
        try await withPool(configuration) { pool in
            try await pool.notify(channel: "login_done", payload: "42")
            #expect(try await collector.next() == .notification(channel: "login_done", payload: "42"))
            try await pool.notify(channel: channels[1], payload: "카카오 👍 'quoted' \\")
            #expect(try await collector.next() == .notification(channel: channels[1], payload: "카카오 👍 'quoted' \\"))
            // Inside a transaction: delivered at commit.
            try await pool.withTransaction { conn in
                try await conn.notify(channel: "login_done", payload: "committed")
            }
            #expect(try await collector.next() == .notification(channel: "login_done", payload: "committed"))
        }
    }

    @Test("after its backend is terminated the listener reconnects, LISTENs again and says so")
    func relistenAfterTermination() async throws {
        let base = try await TestDatabase.shared.configuration(for: "listen")
        let name = "listener-\(UUID().uuidString.prefix(8))"
        let listener = PostgresListener(
            configuration: listenerConfiguration(base, name),
            channels: ["jobs"],
            logger: TestEnvironment.logger
        )
        let collector = EventCollector(listener)
        defer { collector.task.cancel() }
        #expect(try await collector.next() == .listening)
        try await withPool(base) { pool in
            let pid = try await pool.query(
                "SELECT pid FROM pg_stat_activity WHERE application_name = \(name)"
            ).single().decode(Int32.self, "pid")
            try await terminate(pid)
            #expect(try await collector.next() == .reconnected)
            try await pool.notify(channel: "jobs", payload: "after")
            #expect(try await collector.next() == .notification(channel: "jobs", payload: "after"))
        }
    }

    @Test("a server restart is survived: .reconnected, then delivery again")
    func relistenAfterRestart() async throws {
        try await withPrivateCluster { cluster in
            let configuration = PostgresConfiguration(connectionString: cluster.connectionString())
            let listener = PostgresListener(
                configuration: configuration,
                channels: ["jobs"],
                reconnectBackoff: .milliseconds(50),
                logger: TestEnvironment.logger
            )
            let collector = EventCollector(listener)
            defer { collector.task.cancel() }
            #expect(try await collector.next() == .listening)
            try await cluster.restart()
            #expect(try await collector.next() == .reconnected)
            try await withPool(configuration) { pool in
                try await pool.notify(channel: "jobs", payload: "back")
            }
            #expect(try await collector.next() == .notification(channel: "jobs", payload: "back"))
        }
    }

    @Test("cancellation ends the iteration and closes the connection")
    func cancellationStops() async throws {
        let base = try await TestDatabase.shared.configuration(for: "listen")
        let name = "listener-\(UUID().uuidString.prefix(8))"
        let listener = PostgresListener(
            configuration: listenerConfiguration(base, name),
            channels: ["jobs"],
            logger: TestEnvironment.logger
        )
        let collector = EventCollector(listener)
        #expect(try await collector.next() == .listening)
        collector.task.cancel()
        try await collector.task.value  // returns: iteration ended with nil
        try await withPool(base) { pool in
            try await waitUntil("the listener's connection is gone") {
                try await pool.query("SELECT 1 FROM pg_stat_activity WHERE application_name = \(name)").isEmpty
            }
        }
    }

    @Test("graceful shutdown of a service group ends the iteration")
    func gracefulShutdownStops() async throws {
        let configuration = try await TestDatabase.shared.configuration(for: "listen")
        let listener = PostgresListener(configuration: configuration, channels: ["jobs"], logger: TestEnvironment.logger)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let consumer = ConsumerService(listener: listener, started: startedContinuation)
        try await testGracefulShutdown { trigger in
            let group = ServiceGroup(services: [consumer], logger: TestEnvironment.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for await _ in started { break }
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}

/// A service that consumes a listener until the group shuts down.
private struct ConsumerService: Service {
    let listener: PostgresListener
    let started: AsyncStream<Void>.Continuation

    func run() async throws {
        for try await event in listener where event == .listening {
            started.yield()
        }
    }
}
