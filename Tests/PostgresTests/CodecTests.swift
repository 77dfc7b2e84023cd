import Foundation
import Postgres
import TestSupport
import Testing

private struct Profile: Codable, Equatable, Sendable {
    var nickname: String
    var age: Int?
    var tags: [String]
    var verifiedAt: Date
}

private enum JobState: String, PostgresEncodable, PostgresDecodable {
    case queued, running
}

/// Every supported type goes in as a bound parameter and comes back out of a row unchanged,
/// NULL included; bad decodes name the column and the Swift type, never the value.
@Suite("Values round-trip through parameters and rows", .timeLimit(.minutes(3)))
struct CodecTests {
    private func withDatabase<R: Sendable>(_ body: (PostgresPool) async throws -> R) async throws -> R {
        try await withPool(try await TestDatabase.shared.configuration(for: "codec"), body)
    }

    @Test("every type, and NULL for every type")
    func everyTypeAndNull() async throws {
        let uuid = UUID()
        let bytes: [UInt8] = Array(0...255)
        let data = Data([0, 1, 0, 255, 0x5c, 0x27])
        let date = Date(timeIntervalSinceReferenceDate: 804_012_345.123456)
        // JSON keeps dates as ISO-8601 text with milliseconds.
        let profile = Profile(
            nickname: "라이언 \"Ryan\"",
            age: nil,
            tags: ["a", "b,c"],
            verifiedAt: Date(timeIntervalSince1970: 1_700_000_000.125)
        )
        try await withDatabase { pool in
            try await pool.withConnection { conn in
                try await conn.execute(
                    """
                    CREATE TEMP TABLE every_type (
                        id int PRIMARY KEY, i16 int2, i32 int4, i64 int8, n bigint, flag bool, txt text,
                        dbl float8, flt float4, ts timestamptz, u uuid, raw bytea, dat bytea, doc jsonb,
                        ids int8[], names text[], uuids uuid[], state text
                    )
                    """
                )
                try await conn.execute(
                    """
                    INSERT INTO every_type VALUES (1, \(Int16.min), \(Int32.max), \(Int64.min), \(Int(42)), \(true),
                        \("text"), \(1.5), \(Float(0.25)), \(date), \(uuid), \(bytes), \(data), \(PostgresJSON(profile)),
                        \([Int64.max, -1] as [Int64]), \(["x", "y z", "\"q\""]), \([uuid]), \(JobState.running))
                    """
                )
                try await conn.execute(
                    """
                    INSERT INTO every_type VALUES (2, \(Int16?.none), \(Int32?.none), \(Int64?.none), \(Int?.none),
                        \(Bool?.none), \(String?.none), \(Double?.none), \(Float?.none), \(Date?.none), \(UUID?.none),
                        \([UInt8]?.none), \(Data?.none), \(PostgresJSON<Profile>?.none), \([Int64]?.none),
                        \([String]?.none), \([UUID]?.none), \(JobState?.none))
                    """
                )
                let rows = try await conn.query("SELECT * FROM every_type ORDER BY id")
                #expect(rows.count == 2)
                let full = rows[0]
                #expect(try full.decode(Int16.self, "i16") == Int16.min)
                #expect(try full.decode(Int32.self, "i32") == Int32.max)
                #expect(try full.decode(Int64.self, "i64") == Int64.min)
                #expect(try full.decode(Int.self, "n") == 42)
                #expect(try full.decode(Bool.self, "flag") == true)
                #expect(try full.decode(String.self, "txt") == "text")
                #expect(try full.decode(Double.self, "dbl") == 1.5)
                #expect(try full.decode(Float.self, "flt") == 0.25)
                #expect(try full.decode(Date.self, "ts") == date)
                #expect(try full.decode(UUID.self, "u") == uuid)
                #expect(try full.decode([UInt8].self, "raw") == bytes)
                #expect(try full.decode(Data.self, "dat") == data)
                #expect(try full.decodeJSON(Profile.self, "doc") == profile)
                #expect(try full.decode([Int64].self, "ids") == [Int64.max, -1])
                #expect(try full.decode([String].self, "names") == ["x", "y z", "\"q\""])
                #expect(try full.decode([UUID].self, "uuids") == [uuid])
                #expect(try full.decode(JobState.self, "state") == .running)

                let empty = rows[1]
                #expect(try empty.decode(Int16?.self, "i16") == nil)
                #expect(try empty.decode(Int32?.self, "i32") == nil)
                #expect(try empty.decode(Int64?.self, "i64") == nil)
                #expect(try empty.decode(Int?.self, "n") == nil)
                #expect(try empty.decode(Bool?.self, "flag") == nil)
                #expect(try empty.decode(String?.self, "txt") == nil)
                #expect(try empty.decode(Double?.self, "dbl") == nil)
                #expect(try empty.decode(Float?.self, "flt") == nil)
                #expect(try empty.decode(Date?.self, "ts") == nil)
                #expect(try empty.decode(UUID?.self, "u") == nil)
                #expect(try empty.decode([UInt8]?.self, "raw") == nil)
                #expect(try empty.decode(Data?.self, "dat") == nil)
                #expect(try empty.decode(PostgresJSON<Profile>?.self, "doc") == nil)
                #expect(try empty.decode([Int64]?.self, "ids") == nil)
                #expect(try empty.decode([String]?.self, "names") == nil)
                #expect(try empty.decode([UUID]?.self, "uuids") == nil)
                #expect(try empty.decode(JobState?.self, "state") == nil)
                #expect(empty.isNull("txt"))

                // The server saw typed values, not text: check a few on its side.
                let types = try await conn.query(
                    "SELECT pg_typeof(i16)::text AS a, pg_typeof(doc)::text AS b, doc->>'nickname' AS nick FROM every_type WHERE id = 1"
                ).single()
                #expect(try types.decode(String.self, "a") == "smallint")
                #expect(try types.decode(String.self, "b") == "jsonb")
                #expect(try types.decode(String.self, "nick") == "라이언 \"Ryan\"")
            }
        }
    }

    @Test("a NULL read as a non-optional type is an error naming the column and the type")
    func nullIntoNonOptional() async throws {
        try await withDatabase { pool in
            let row = try await pool.query("SELECT NULL::int8 AS user_id").single()
            let error = try #require(throws: PostgresError.self) { try row.decode(Int64.self, "user_id") }
            #expect(error.code == .decoding)
            #expect(error.columnName == "user_id")
            #expect(error.description.contains("user_id"))
            #expect(error.description.contains("Int64"))
        }
    }

    @Test("a bad decode never prints the value")
    func decodeErrorsHideValues() async throws {
        try await withDatabase { pool in
            let row = try await pool.query(
                "SELECT \("s3cret-value-123") AS token, 99999999999::int8 AS big, \("{\"a\": \"s3cret-json\"}")::jsonb AS doc"
            ).single()
            let notNumber = try #require(throws: PostgresError.self) { try row.decode(Int64.self, "token") }
            #expect(notNumber.description.contains("token") && notNumber.description.contains("Int64"))
            #expect(!notNumber.description.contains("s3cret"))
            let tooBig = try #require(throws: PostgresError.self) { try row.decode(Int32.self, "big") }
            #expect(tooBig.description.contains("Int32") && !tooBig.description.contains("99999999999"))
            let badJSON = try #require(throws: PostgresError.self) { try row.decodeJSON(Profile.self, "doc") }
            #expect(badJSON.description.contains("doc") && !badJSON.description.contains("s3cret"))
            let missing = try #require(throws: PostgresError.self) { try row.decode(Int64.self, "nope") }
            #expect(missing.code == .decoding && missing.description.contains("nope"))
        }
    }

    @Test("Int64 values above 2^53 are exact both ways")
    func bigIntegers() async throws {
        try await withDatabase { pool in
            for value: Int64 in [9_007_199_254_740_993, 9_223_372_036_854_775_807, -9_223_372_036_854_775_808, 1 << 62 + 1] {
                let row = try await pool.query(
                    "SELECT \(value) AS v, \(value)::text AS t, \(value) = \(String(value))::int8 AS same"
                ).single()
                #expect(try row.decode(Int64.self, "v") == value)
                #expect(try row.decode(String.self, "t") == String(value))
                #expect(try row.decode(Bool.self, "same"))
            }
            // Kakao ids are 64-bit: one above 2^53 stored as text keeps every digit.
            let kakaoID: Int64 = 9_007_199_254_740_995
            let row = try await pool.query("SELECT \(String(kakaoID)) AS subject, \(kakaoID)::text AS s").single()
            #expect(try row.decode(String.self, "subject") == "9007199254740995")
            #expect(try row.decode(String.self, "s") == "9007199254740995")
        }
    }

    @Test(
        "strings come back verbatim",
        arguments: [
            "it's", "\"double\"", #"back\slash \\ \n"#, "카카오 로그인", "👍🏽 🇰🇷 👨‍👩‍👧", "", " ", "line\nbreak\ttab",
            "$1 $2", "-- comment", "/* c */", "E'\\x00'", "\u{7F}\u{1}", String(repeating: "가", count: 3_000),
        ]
    )
    func stringsVerbatim(_ text: String) async throws {
        try await withDatabase { pool in
            let row = try await pool.query(
                "SELECT \(text) AS t, length(\(text)) AS chars, octet_length(\(text)) AS bytes"
            ).single()
            #expect(try row.decode(String.self, "t") == text)
            #expect(try row.decode(Int.self, "chars") == text.unicodeScalars.count)
            #expect(try row.decode(Int.self, "bytes") == text.utf8.count)
        }
    }

    @Test("injection attempts are stored as data")
    func injectionIsData() async throws {
        let attacks = [
            "Robert'); DROP TABLE injection_victims; --",
            "' OR '1'='1",
            "1; DELETE FROM injection_victims",
            "$1",
            "\\'; SELECT pg_sleep(10); --",
        ]
        try await withDatabase { pool in
            try await pool.withConnection { conn in
                try await conn.execute("CREATE TEMP TABLE injection_victims (id serial PRIMARY KEY, name text)")
                for attack in attacks {
                    try await conn.execute("INSERT INTO injection_victims (name) VALUES (\(attack))")
                }
                let rows = try await conn.query("SELECT name FROM injection_victims ORDER BY id")
                #expect(try rows.map { try $0.decode(String.self, "name") } == attacks)
                let matched = try await conn.query(
                    "SELECT count(*) AS n FROM injection_victims WHERE name = \(attacks[1])"
                ).single()
                #expect(try matched.decode(Int64.self, "n") == 1)
                // A quoted identifier with quotes inside stays one identifier.
                try await conn.execute("CREATE TEMP TABLE \(identifier: "odd \"name\"; DROP TABLE x") (v int)")
                try await conn.execute("INSERT INTO \(identifier: "odd \"name\"; DROP TABLE x") VALUES (\(Int32(1)))")
            }
        }
    }

    @Test("a NUL character in a string is refused by the server, never truncated")
    func nulInString() async throws {
        try await withDatabase { pool in
            let error = try await #require(throws: PostgresError.self) {
                try await pool.query("SELECT \("before\0after-s3cret") AS t")
            }
            #expect(error.code == .server)
            #expect(error.sqlState == "22021")
            #expect(!error.description.contains("s3cret"))
            // The connection is still fine.
            #expect(try await pool.query("SELECT 1 AS one").single().decode(Int.self, "one") == 1)
        }
    }

    @Test("timestamps: microseconds, other time zones, date and timestamp columns, infinity")
    func timestamps() async throws {
        try await withDatabase { pool in
            let date = Date(timeIntervalSinceReferenceDate: 86_400 + 37_056.123456)
            let same = try await pool.query(
                "SELECT \(date) = '2001-01-02 10:17:36.123456+00'::timestamptz AS same, \(date) AS d"
            ).single()
            #expect(try same.decode(Bool.self, "same"))
            #expect(try same.decode(Date.self, "d") == date)

            let seoul = try await pool.withTransaction { conn in
                try await conn.execute("SET LOCAL TimeZone = 'Asia/Seoul'")
                return try await conn.query(
                    "SELECT '2024-03-01 12:00:00.5+09'::timestamptz AS t, '2024-03-01 12:00:00.5+09'::timestamptz::text AS text"
                ).single()
            }
            #expect(try seoul.decode(String.self, "text") == "2024-03-01 12:00:00.5+09")
            #expect(try seoul.decode(Date.self, "t") == Date(timeIntervalSince1970: 1_709_262_000.5))

            let other = try await pool.query(
                """
                SELECT '1999-12-31'::date AS day, '1970-01-01 00:00:01'::timestamp AS local,
                       'infinity'::timestamptz AS later, '-infinity'::timestamptz AS earlier,
                       '0044-03-15 12:00:00+00 BC'::timestamptz AS ides
                """
            ).single()
            #expect(try other.decode(Date.self, "day") == Date(timeIntervalSince1970: 946_598_400))
            #expect(try other.decode(Date.self, "local") == Date(timeIntervalSince1970: 1))
            #expect(try other.decode(Date.self, "later") == .distantFuture)
            #expect(try other.decode(Date.self, "earlier") == .distantPast)
            #expect(try other.decode(Date.self, "ides") < Date(timeIntervalSince1970: -62_000_000_000))
        }
    }

    @Test("numbers: NaN, infinities, numeric as Double, booleans")
    func numbers() async throws {
        try await withDatabase { pool in
            let row = try await pool.query(
                """
                SELECT 'NaN'::float8 AS nan, 'Infinity'::float8 AS inf, '-Infinity'::float8 AS ninf,
                       12.50::numeric AS num, \(Double.pi) AS pi, \(false) AS no, \(Double.leastNonzeroMagnitude) AS tiny
                """
            ).single()
            #expect(try row.decode(Double.self, "nan").isNaN)
            #expect(try row.decode(Double.self, "inf") == .infinity)
            #expect(try row.decode(Double.self, "ninf") == -.infinity)
            #expect(try row.decode(Double.self, "num") == 12.5)
            #expect(try row.decode(Double.self, "pi") == Double.pi)
            #expect(try row.decode(Bool.self, "no") == false)
            #expect(try row.decode(Double.self, "tiny") == Double.leastNonzeroMagnitude)
        }
    }

    @Test("arrays for = ANY($1) batches, and arrays read back")
    func arrays() async throws {
        try await withDatabase { pool in
            try await pool.withConnection { conn in
                try await conn.execute("CREATE TEMP TABLE batch (id int8 PRIMARY KEY, name text, u uuid)")
                let ids: [Int64] = Array(1...20)
                let uuids = ids.map { _ in UUID() }
                for (id, uuid) in zip(ids, uuids) {
                    try await conn.execute("INSERT INTO batch VALUES (\(id), \("n\(id)"), \(uuid))")
                }
                let updated = try await conn.execute(
                    "UPDATE batch SET name = name || '!' WHERE id = ANY(\([Int64(2), 4, 6]))"
                )
                #expect(updated == 3)
                let byName = try await conn.query(
                    "SELECT id FROM batch WHERE name = ANY(\(["n1", "n3", "missing"])) ORDER BY id"
                )
                #expect(try byName.map { try $0.decode(Int64.self, "id") } == [1, 3])
                let byUUID = try await conn.query("SELECT count(*) AS n FROM batch WHERE u = ANY(\(Array(uuids.prefix(5))))")
                #expect(try byUUID.single().decode(Int.self, "n") == 5)
                let none = try await conn.query("SELECT count(*) AS n FROM batch WHERE id = ANY(\([Int64]()))")
                #expect(try none.single().decode(Int.self, "n") == 0)
                let flags = try await conn.query("SELECT \([true, false]) AS f, ARRAY[1, NULL, 3]::int8[] AS holes").single()
                #expect(try flags.decode([Bool].self, "f") == [true, false])
                #expect(try flags.decode([Int64?].self, "holes") == [1, nil, 3])
            }
        }
    }

    @Test("arrays with NULL elements and arrays of byte strings, unnested side by side")
    func arraysForUnnest() async throws {
        try await withDatabase { pool in
            let names: [String?] = ["a", nil, "", "d"]
            let blobs: [[UInt8]] = [[0, 1, 255], [], [0x5c, 0x78], [7]]
            let rows = try await pool.query(
                """
                SELECT n, name, blob, name IS NULL AS missing
                FROM unnest(\(names), \(blobs)) WITH ORDINALITY AS i(name, blob, n) ORDER BY n
                """
            )
            #expect(try rows.map { try $0.decode(Int.self, "n") } == [1, 2, 3, 4])
            #expect(try rows.map { try $0.decode(String?.self, "name") } == names)
            #expect(try rows.map { try $0.decode(Bool.self, "missing") } == [false, true, false, false])
            #expect(try rows.map { try $0.decode([UInt8].self, "blob") } == blobs)
            let noNames: [String?] = [nil, nil]
            let types = try await pool.query("SELECT pg_typeof(\(noNames))::text AS t, pg_typeof(\(blobs))::text AS b").single()
            #expect(try types.decode(String.self, "t") == "text[]")
            #expect(try types.decode(String.self, "b") == "bytea[]")
        }
    }

    @Test("affected rows and command tags")
    func affectedRows() async throws {
        try await withDatabase { pool in
            try await pool.withConnection { conn in
                try await conn.execute("CREATE TEMP TABLE counted (v int)")
                #expect(try await conn.execute("INSERT INTO counted SELECT generate_series(1, 5)") == 5)
                #expect(try await conn.execute("UPDATE counted SET v = v + 1 WHERE v > \(Int32(2))") == 3)
                #expect(try await conn.execute("DELETE FROM counted WHERE v = \(Int32(100))") == 0)
                let rows = try await conn.query("SELECT v FROM counted ORDER BY v")
                #expect(rows.count == 5)
                #expect(rows.affectedRows == 5)
                #expect(rows.commandTag == "SELECT 5")
                #expect(rows.columns == ["v"])
            }
        }
    }
}
