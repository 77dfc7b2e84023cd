import Foundation
import TestSupport
import Testing

/// `kakao-login dev` refusing to start: one line saying what is wrong and what to do, exit 1,
/// and nothing left running (no cluster was started).
@Suite("dev: bad input")
struct DevBadInputTests {
    @Test("the API's port in use")
    func portInUse() async throws {
        let listener = try ListeningSocket()
        defer { listener.close() }
        let folder = Self.folder()
        let run = try await runDev(["--port", String(listener.port), "--emulator-port", String(try FreePort.next()), "--data-dir", folder])
        #expect(run.status == 1)
        #expect(
            Self.lines(run.standardError) == [
                "kakao-login dev: error: port \(listener.port) on 127.0.0.1, for the API, is in use (another kakao-login dev?): "
                    + "stop that program or pick another port with --port \(listener.port + 1) (or PORT=\(listener.port + 1))"
            ]
        )
        #expect(!FileManager.default.fileExists(atPath: folder), "nothing may be made before the ports are checked")
    }

    @Test("the emulator's port in use")
    func emulatorPortInUse() async throws {
        let listener = try ListeningSocket()
        defer { listener.close() }
        let run = try await runDev([
            "--port", String(try FreePort.next()), "--emulator-port", String(listener.port), "--data-dir", Self.folder(),
        ])
        #expect(run.status == 1)
        #expect(Self.lines(run.standardError).count == 1)
        #expect(run.standardError.contains("for the Kakao emulator, is in use"))
        #expect(run.standardError.contains("--emulator-port \(listener.port + 1)"))
    }

    @Test("the Google emulator's port in use")
    func googleEmulatorPortInUse() async throws {
        let listener = try ListeningSocket()
        defer { listener.close() }
        let run = try await runDev([
            "--port", String(try FreePort.next()), "--emulator-port", String(try FreePort.next()), "--google-emulator-port",
            String(listener.port), "--data-dir", Self.folder(),
        ])
        #expect(run.status == 1)
        #expect(Self.lines(run.standardError).count == 1)
        #expect(run.standardError.contains("for the Google emulator, is in use"))
        #expect(run.standardError.contains("--google-emulator-port \(listener.port + 1)"))
    }

    @Test("no PostgreSQL server binaries")
    func noPostgres() async throws {
        let folder = Self.folder()
        let run = try await runDev(
            [
                "--port", String(try FreePort.next()), "--emulator-port", String(try FreePort.next()), "--data-dir", folder,
                "--pg-bindir", "/nonexistent/postgresql/bin",
            ])
        #expect(run.status == 1)
        let lines = Self.lines(run.standardError)
        #expect(lines.count == 1, "\(run.standardError)")
        #expect(lines.first?.contains("PostgreSQL server binaries not found") == true)
        #expect(lines.first?.contains("install the 'postgresql' package") == true)
        #expect(lines.first?.contains("or set DATABASE_URL") == true)
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test("a data folder that cannot be written")
    func unwritableFolder() async throws {
        let file = NSTemporaryDirectory() + "kl-dev-file-\(UUID().uuidString.prefix(8))"
        try Data("a file, not a folder\n".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try await runDev(
            ["--port", String(try FreePort.next()), "--emulator-port", String(try FreePort.next()), "--data-dir", file + "/dev"])
        #expect(run.status == 1)
        #expect(
            Self.lines(run.standardError) == [
                "kakao-login dev: error: cannot create the dev folder \(file)/dev: pass --data-dir with a folder you can write"
            ]
        )
    }

    /// Before, dev migrated any database it was given and let the emulator sign anyone in as
    /// anyone there: made-up identities with working sessions in a shared database.
    @Test("a database on another host is refused unless --allow-remote-database")
    func remoteDatabase() async throws {
        let folder = Self.folder()
        let arguments = ["--port", String(try FreePort.next()), "--emulator-port", String(try FreePort.next()), "--data-dir", folder]
        let run = try await runDev(arguments, databaseURL: "host=db.example.com dbname=kakao_login user=app")
        #expect(run.status == 1)
        let lines = Self.lines(run.standardError)
        #expect(lines.count == 1, "\(run.standardError)")
        #expect(lines.first?.contains("DATABASE_URL names a database on another host (db.example.com)") == true)
        #expect(lines.first?.contains("--allow-remote-database") == true)
        #expect(!FileManager.default.fileExists(atPath: folder), "nothing may be made for a refused database")
    }

    /// Runs `kakao-login dev` that is expected to refuse at once (a time limit well above that),
    /// with a free port for the Google emulator unless `arguments` name one.
    private func runDev(_ arguments: [String], databaseURL: String? = nil) async throws -> KakaoLoginProcess.Output {
        let googlePort = arguments.contains("--google-emulator-port") ? [] : ["--google-emulator-port", String(try FreePort.next())]
        return try await KakaoLoginProcess.run(
            ["dev"] + googlePort + arguments,
            environment: [
                "DATABASE_URL": databaseURL, "PORT": nil,
                "PG_BINDIR": ProcessInfo.processInfo.environment["KAKAO_TEST_PG_BINDIR"],
            ],
            timeLimit: .seconds(60)
        )
    }

    private static func folder() -> String {
        NSTemporaryDirectory() + "kl-dev-\(UUID().uuidString.prefix(8))"
    }

    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
