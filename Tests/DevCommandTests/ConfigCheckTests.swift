import Accounts
import Foundation
import TestSupport
import Testing

/// `kakao-login config check`, run as the real executable.
@Suite("config check")
struct ConfigCheckTests {
    /// Every setting config check reads, removed, so the test process's own environment
    /// (`DATABASE_URL` of the test server, say) does not leak in.
    static let cleared: [String: String?] = Dictionary(
        uniqueKeysWithValues: [
            "DATABASE_URL", "DATABASE_URL_FILE", "KAKAO_REST_API_KEY", "KAKAO_CLIENT_SECRET", "KAKAO_CLIENT_SECRET_FILE",
            "KAKAO_ADMIN_KEY", "KAKAO_REDIRECT_URIS", "KAKAO_AUTH_URL", "KAKAO_API_URL", "LOGIN_SEALING_KEYS",
            "LOGIN_SEALING_KEYS_FILE", "LOGIN_JWT_KEYS", "LOGIN_JWT_SIGNING_KID", "LOG_LEVEL", "LOG_FORMAT", "PORT",
            "EVENT_LOOP_THREADS", "NIO_SINGLETON_GROUP_LOOP_COUNT", "LOGIN_ALLOW_EMULATOR", "LOGIN_REQUIRE_STATE", "KAKAO_SCOPES",
            "LOGIN_TRUSTED_PROXIES", "LOGIN_COOKIE_SAMESITE", "CORS_ALLOWED_ORIGINS", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET",
            "GOOGLE_CLIENT_SECRET_FILE", "GOOGLE_REDIRECT_URIS", "GOOGLE_ISSUER_URL", "KAKAO_UNLINK_CALLBACK",
            "DATABASE_POOLER", "DATABASE_LISTEN_URL", "DATABASE_LISTEN_URL_FILE", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        ].map { ($0, String?.none) }
    )

    static let sealingKey = "k1:" + Data((0..<32).map { UInt8($0) }).base64EncodedString()

    @Test("a good configuration: exit 0, for every role")
    func goodConfiguration() async throws {
        try await withFolder { folder in
            let keys = folder + "/jwt"
            try AccessTokenKeys.generateKeyFolder(at: keys, kid: "k1")
            var environment = Self.cleared
            environment["KAKAO_REST_API_KEY"] = "rest-api-key"
            environment["KAKAO_REDIRECT_URIS"] = "https://app.example/auth/kakao/callback,http://127.0.0.1:8080/auth/kakao/callback"
            environment["LOGIN_SEALING_KEYS"] = Self.sealingKey
            environment["LOGIN_JWT_KEYS"] = keys
            environment["DATABASE_URL"] = "postgresql://kakao:pw@db.example:5432/kakao_login?sslmode=require"
            environment["LOGIN_QUEUE_MAX_DEPTH"] = "5000"
            for role in ["api", "worker", "dev", "all"] {
                let run = try await KakaoLoginProcess.run(["config", "check", "--role", role], environment: environment)
                #expect(run.status == 0, "role \(role): \(run.standardError)")
                #expect(run.standardOutput.contains("ok"))
            }
        }
    }

    @Test("dev needs nothing: an empty configuration passes for dev, and fails for api")
    func emptyConfiguration() async throws {
        let dev = try await KakaoLoginProcess.run(["config", "check", "--role", "dev"], environment: Self.cleared)
        #expect(dev.status == 0, "\(dev.standardError)")
        let api = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: Self.cleared)
        #expect(api.status == 1)
        for variable in ["KAKAO_REST_API_KEY", "KAKAO_REDIRECT_URIS", "LOGIN_SEALING_KEYS", "LOGIN_JWT_KEYS"] {
            #expect(api.standardError.contains(variable), "\(variable) missing from: \(api.standardError)")
        }
    }

    @Test("a broken configuration: every problem listed at once, exit 1, no secret echoed")
    func brokenConfiguration() async throws {
        try await withFolder { folder in
            let keys = folder + "/jwt"
            try AccessTokenKeys.generateKeyFolder(at: keys, kid: "good")
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keys + "/good.pem")
            try Data("-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----\n".utf8)
                .write(to: URL(fileURLWithPath: keys + "/bad.pem"))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keys + "/bad.pem")
            let secretFile = folder + "/client-secret"
            try Data("client-secret-value-123\n".utf8).write(to: URL(fileURLWithPath: secretFile))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secretFile)

            var environment = Self.cleared
            environment["KAKAO_REDIRECT_URIS"] = "/auth/kakao/callback,http://app.example/auth/kakao/callback"
            environment["KAKAO_AUTH_URL"] = "http://kauth.example.com"
            environment["KAKAO_CLIENT_SECRET_FILE"] = secretFile
            environment["LOGIN_SEALING_KEYS"] = "k1:c2VjcmV0LXNlYWxpbmcta2V5"
            environment["LOGIN_JWT_KEYS"] = keys
            environment["DATABASE_URL"] = "host=db.example password=hunter2secret dbname"
            environment["LOGIN_QUEUE_MAX_DEPTH"] = "lots"
            environment["LOGIN_WORKER_LEASE_SECONDS"] = "-1"
            environment["LOG_FORMAT"] = "yaml"
            environment["EVENT_LOOP_THREADS"] = "0"

            let run = try await KakaoLoginProcess.run(["config", "check", "--role", "all"], environment: environment)
            #expect(run.status == 1)
            let report = run.standardError
            let expected = [
                "KAKAO_REST_API_KEY is not set",
                "KAKAO_REDIRECT_URIS: \"/auth/kakao/callback\" is not an absolute http(s) URL",
                "KAKAO_REDIRECT_URIS: \"http://app.example/auth/kakao/callback\" must use https",
                "KAKAO_AUTH_URL: must use https",
                "KAKAO_CLIENT_SECRET_FILE: \(secretFile) is readable by others (mode 644)",
                "LOGIN_SEALING_KEYS is malformed",
                "LOGIN_JWT_KEYS: \(keys)/good.pem is readable by others (mode 644)",
                "DATABASE_URL: malformed connection string",
                "LOGIN_QUEUE_MAX_DEPTH: must be an integer",
                "LOGIN_WORKER_LEASE_SECONDS: must be a number of seconds",
                "LOG_FORMAT: must be json or text",
                "EVENT_LOOP_THREADS: must be an integer in 1...256, got \"0\"",
            ]
            for line in expected {
                #expect(report.contains(line), "expected \(line.debugDescription) in:\n\(report)")
            }
            #expect(report.contains("problems"))
            for secret in ["hunter2secret", "client-secret-value-123", "c2VjcmV0LXNlYWxpbmcta2V5"] {
                #expect(!report.contains(secret), "the report echoes a secret:\n\(report)")
            }
        }
    }

    /// Before, a worker pointed at the emulator by mistake (plain http on loopback) started and
    /// signed people in with whatever identity its consent page was asked for.
    @Test("an emulator's URL (plain http on loopback) is refused unless LOGIN_ALLOW_EMULATOR says this is a test deployment")
    func emulatorNeedsConsent() async throws {
        var environment = Self.cleared
        environment["KAKAO_REST_API_KEY"] = "rest-api-key"
        environment["KAKAO_AUTH_URL"] = "http://127.0.0.1:9090"
        environment["KAKAO_API_URL"] = "http://127.0.0.1:9090"
        environment["LOGIN_SEALING_KEYS"] = Self.sealingKey
        environment["DATABASE_URL"] = "host=/tmp dbname=kakao_login"
        let refused = try await KakaoLoginProcess.run(["config", "check", "--role", "worker"], environment: environment)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("KAKAO_AUTH_URL is plain http on loopback"), "\(refused.standardError)")
        #expect(refused.standardError.contains("LOGIN_ALLOW_EMULATOR=true"))
        // The worker itself refuses to start, naming the setting, before connecting anywhere.
        let worker = try await KakaoLoginProcess.run(["worker", "--concurrency", "1"], environment: environment, timeLimit: .seconds(30))
        #expect(worker.status == 1)
        #expect(worker.standardError.contains("LOGIN_ALLOW_EMULATOR"), "\(worker.standardError)")

        environment["LOGIN_ALLOW_EMULATOR"] = "true"
        let allowed = try await KakaoLoginProcess.run(["config", "check", "--role", "worker"], environment: environment)
        #expect(allowed.status == 0, "\(allowed.standardError)")
    }

    @Test("Google: a client id without redirect URIs or secret, or with a plain-http issuer, is named; a good one passes")
    func googleSettings() async throws {
        try await withFolder { folder in
            let keys = folder + "/jwt"
            try AccessTokenKeys.generateKeyFolder(at: keys, kid: "k1")
            var environment = Self.cleared
            environment["KAKAO_REST_API_KEY"] = "rest-api-key"
            environment["KAKAO_REDIRECT_URIS"] = "https://app.example/auth/kakao/callback"
            environment["LOGIN_SEALING_KEYS"] = Self.sealingKey
            environment["LOGIN_JWT_KEYS"] = keys
            environment["DATABASE_URL"] = "postgresql://kakao:pw@db.example:5432/kakao_login?sslmode=require"
            environment["GOOGLE_CLIENT_ID"] = "1234-abcd.apps.googleusercontent.com"
            environment["GOOGLE_ISSUER_URL"] = "http://accounts.example.com"
            let broken = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: environment)
            #expect(broken.status == 1)
            #expect(broken.standardError.contains("GOOGLE_ISSUER_URL must be https"), "\(broken.standardError)")
            #expect(broken.standardError.contains("GOOGLE_REDIRECT_URIS"), "\(broken.standardError)")

            // An https issuer that is not Google's is a test deployment's, as an emulator is.
            environment["GOOGLE_ISSUER_URL"] = "https://staging-idp.example.com"
            let foreign = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: environment)
            #expect(foreign.status == 1)
            #expect(foreign.standardError.contains("is not Google's"), "\(foreign.standardError)")

            // The unlink callback needs the admin key it checks Kakao's calls against.
            environment["KAKAO_UNLINK_CALLBACK"] = "true"
            let noAdminKey = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: environment)
            #expect(noAdminKey.standardError.contains("KAKAO_ADMIN_KEY"), "\(noAdminKey.standardError)")
            environment["KAKAO_UNLINK_CALLBACK"] = nil

            environment["GOOGLE_ISSUER_URL"] = nil
            environment["GOOGLE_REDIRECT_URIS"] = "https://app.example/auth/google/callback"
            let noSecret = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: environment)
            #expect(noSecret.status == 1)
            #expect(noSecret.standardError.contains("GOOGLE_CLIENT_SECRET"), "\(noSecret.standardError)")

            environment["GOOGLE_CLIENT_SECRET"] = "GOCSPX-google-secret-value"
            let good = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: environment)
            #expect(good.status == 0, "\(good.standardError)")
            #expect(!good.standardOutput.contains("GOCSPX-google-secret-value"))
            #expect(!good.standardError.contains("GOCSPX-google-secret-value"))
        }
    }

    @Test("settings that weaken the service are warned about: exit 0, or 1 with --strict")
    func weakeningSettings() async throws {
        var environment = Self.cleared
        environment["KAKAO_REDIRECT_URIS"] = "http://127.0.0.1:8080/auth/kakao/callback"
        environment["LOGIN_REQUIRE_STATE"] = "false"
        environment["KAKAO_SCOPES"] = "profile_nickname,account_email"
        environment["LOGIN_TRUSTED_PROXIES"] = "10.0.0.0/8,::/0"
        environment["LOGIN_COOKIE_SAMESITE"] = "None"
        environment["CORS_ALLOWED_ORIGINS"] = "http://app.example,http://localhost:3000"
        environment["LOGIN_ALLOW_EMULATOR"] = "true"
        let run = try await KakaoLoginProcess.run(["config", "check", "--role", "dev"], environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("ok (6 warnings)"))
        for line in [
            "⚠ LOGIN_REQUIRE_STATE: false accepts codes without a state",
            "⚠ KAKAO_SCOPES: has no openid",
            "⚠ LOGIN_TRUSTED_PROXIES: ::/0 trusts every address",
            "⚠ LOGIN_COOKIE_SAMESITE: None needs Secure",
            "⚠ CORS_ALLOWED_ORIGINS: http://app.example is plain http",
            "⚠ LOGIN_ALLOW_EMULATOR: true makes this a test deployment",
        ] {
            #expect(run.standardError.contains(line), "expected \(line.debugDescription) in:\n\(run.standardError)")
        }
        #expect(!run.standardError.contains("localhost:3000 is plain http"))
        let strict = try await KakaoLoginProcess.run(["config", "check", "--role", "dev", "--strict"], environment: environment)
        #expect(strict.status == 1)
        #expect(strict.standardError.contains("6 problems"))
        let quiet = try await KakaoLoginProcess.run(["config", "check", "--role", "dev", "--strict"], environment: Self.cleared)
        #expect(quiet.status == 0, "\(quiet.standardError)")
    }

    @Test(
        "PgBouncer settings: a bad DATABASE_POOLER or DATABASE_LISTEN_URL is named; transaction mode without a LISTEN URL is warned about"
    )
    func poolerSettings() async throws {
        try await withFolder { folder in
            let keys = folder + "/jwt"
            try AccessTokenKeys.generateKeyFolder(at: keys, kid: "k1")
            var environment = Self.cleared
            environment["KAKAO_REST_API_KEY"] = "rest-api-key"
            environment["KAKAO_REDIRECT_URIS"] = "https://app.example/auth/kakao/callback"
            environment["LOGIN_SEALING_KEYS"] = Self.sealingKey
            environment["LOGIN_JWT_KEYS"] = keys
            environment["DATABASE_URL"] = "postgresql://kakao:pw@pgbouncer.example:6432/kakao_login"
            environment["DATABASE_POOLER"] = "pgbouncer-session"
            environment["DATABASE_LISTEN_URL"] = "postgresql://kakao:s3cret@db.example:5432/kakao_login?bogus=1"
            let bad = try await KakaoLoginProcess.run(["config", "check", "--role", "api"], environment: environment)
            #expect(bad.status == 1)
            #expect(bad.standardError.contains("✗ DATABASE_POOLER: must be none or pgbouncer-transaction"), "\(bad.standardError)")
            #expect(bad.standardError.contains("✗ DATABASE_LISTEN_URL: "), "\(bad.standardError)")
            #expect(!bad.standardError.contains("s3cret"))

            environment["DATABASE_POOLER"] = "pgbouncer-transaction"
            environment["DATABASE_LISTEN_URL"] = nil
            let warned = try await KakaoLoginProcess.run(["config", "check", "--role", "worker"], environment: environment)
            #expect(warned.status == 0, "\(warned.standardError)")
            #expect(warned.standardError.contains("⚠ DATABASE_LISTEN_URL: is not set, so LISTEN goes through"), "\(warned.standardError)")

            environment["DATABASE_LISTEN_URL"] = "postgresql://kakao:s3cret@db.example:5432/kakao_login"
            let good = try await KakaoLoginProcess.run(["config", "check", "--role", "all", "--strict"], environment: environment)
            #expect(good.status == 0, "\(good.standardError)")
        }
    }

    @Test("a JWT key folder that holds a key that is not ES256 is named")
    func malformedKeyFolder() async throws {
        try await withFolder { folder in
            let keys = folder + "/jwt"
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: keys + "/k1.pem"))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keys + "/k1.pem")
            var environment = Self.cleared
            environment["LOGIN_JWT_KEYS"] = keys
            let run = try await KakaoLoginProcess.run(["config", "check", "--role", "dev"], environment: environment)
            #expect(run.status == 1)
            #expect(
                run.standardError.contains("LOGIN_JWT_KEYS: key file k1.pem is not an ES256 (P-256) private key in PEM"),
                "\(run.standardError)"
            )

            environment["LOGIN_JWT_KEYS"] = folder + "/missing"
            let missing = try await KakaoLoginProcess.run(["config", "check", "--role", "dev"], environment: environment)
            #expect(missing.status == 1)
            #expect(missing.standardError.contains("LOGIN_JWT_KEYS folder cannot be read"), "\(missing.standardError)")
        }
    }

    private func withFolder(_ body: (String) async throws -> Void) async throws {
        let folder = NSTemporaryDirectory() + "kl-config-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body(folder)
    }
}
