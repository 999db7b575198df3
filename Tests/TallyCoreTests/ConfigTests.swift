import Foundation
import TallyCore
import TallyTestSupport
import XCTest

final class ConfigTests: XCTestCase {
    func testPrecedenceFlagThenEnvironmentThenFileThenDefault() throws {
        let dir = TempDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/tally", withIntermediateDirectories: true)
        try """
            cache = "/from/file.db"
            theme = "nord"
            refresh = 30
            primary = "sqlite:///from/file.db"
            chunk_size = 250
            full_chunk_size = 4000

            [stale_after]
            tasks = 120
            """.write(toFile: dir.path + "/tally/config.toml", atomically: true, encoding: .utf8)
        let env = ["XDG_CONFIG_HOME": dir.path, "TALLY_THEME": "light", "DATABASE_URL": "postgres://x@h/db"]
        var config = try Config.resolve(Config.Overrides(), environment: env)
        XCTAssertEqual(config.cachePath, "/from/file.db")
        XCTAssertEqual(config.theme, "light", "environment beats the file")
        XCTAssertEqual(config.refreshInterval, 30)
        XCTAssertEqual(config.staleAfter[.tasks], 120)
        XCTAssertEqual(config.staleAfter[.clients], 900)
        XCTAssertEqual(config.primaryURL, "sqlite:///from/file.db", "the file beats DATABASE_URL")
        XCTAssertEqual(SyncOptions(config).chunkSize, 250)
        XCTAssertEqual(SyncOptions(config).fullChunkSize, 4000)
        config = try Config.resolve(Config.Overrides(cache: "/flag.db", theme: "gruvbox", staleAfter: 60), environment: env)
        XCTAssertEqual(config.cachePath, "/flag.db")
        XCTAssertEqual(config.theme, "gruvbox")
        XCTAssertEqual(config.staleAfter[.tasks], 60)
        config = try Config.resolve(Config.Overrides(), environment: ["XDG_CONFIG_HOME": dir.path + "/none", "DATABASE_URL": "postgres://x@h/db", "HOME": dir.path])
        XCTAssertEqual(config.primaryURL, "postgres://x@h/db")
        XCTAssertEqual(config.cachePath, dir.path + "/.workos-cache/cache.db")
        XCTAssertTrue(config.cachePathIsDefault)
    }

    func testSSLRootCertIsReadFromTheURL() throws {
        guard case .postgres(let url) = try PrimaryLocation(parsing: "postgres://u:pw@db:5432/work?sslmode=verify-ca&sslrootcert=/etc/ca.pem")
        else { return XCTFail() }
        XCTAssertEqual(url.tls, .verifyCA)
        XCTAssertEqual(url.sslRootCert, "/etc/ca.pem")
        XCTAssertEqual(url.description, "postgres://u:***@db:5432/work?sslmode=verify-ca&sslrootcert=/etc/ca.pem")
        XCTAssertThrowsError(try PrimaryLocation(parsing: "postgres://u@db/work?sslrootcert="))
    }

    /// A primary URL that does not parse names where it came from: a stray `TALLY_PRIMARY` or
    /// `DATABASE_URL` in the environment is otherwise hard to find.
    func testABadPrimaryURLNamesItsSource() throws {
        let dir = TempDirectory()
        let file = dir.file("config.toml")
        try "primary = \"nonsense\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let cases: [(Config.Overrides, [String: String], String)] = [
            (Config.Overrides(primary: "garbage"), ["TALLY_PRIMARY": "other"], "--primary"),
            (Config.Overrides(), ["TALLY_PRIMARY": "garbage", "DATABASE_URL": "x"], "TALLY_PRIMARY"),
            (Config.Overrides(config: file), ["DATABASE_URL": "x"], "primary in \(file)"),
            (Config.Overrides(), ["DATABASE_URL": "garbage", "XDG_CONFIG_HOME": dir.path], "DATABASE_URL"),
        ]
        for (flags, environment, source) in cases {
            let config = try Config.resolve(flags, environment: environment)
            XCTAssertEqual(config.primarySource, source)
            XCTAssertThrowsError(try config.primaryLocation()) { error in
                XCTAssertTrue(error.userMessage.contains("(from \(source)): expected a URL such as postgres://user@host:5432/db"),
                              error.userMessage)
            }
        }
    }

    func testConfigErrorsNameFileAndLine() throws {
        let dir = TempDirectory()
        let cases: [(String, Int?, String?)] = [
            ("theme = \"x\"\nrefresh = \"soon\"\n", 2, "refresh must be a positive number"),
            ("theme = \"x\"\n\ncolour = 3\n", 3, "unknown setting"),
            ("theme = \"x\"\nbroken = [\n", 2, nil),
            ("target_points = -4\n", 1, "target_points"),
            ("[stale_after]\nweather = 5\n", 2, "unknown namespace"),
            ("[scope]\ndone_days = -1\n", 2, "done_days"),
            ("[scope]\ncategories = 3\n", 2, "categories"),
            ("scope = \"some\"\n", 1, "scope must be"),
            ("time_zone = \"Mars/Olympus\"\n", 1, "IANA"),
            ("history_days = -3\n", 1, "history_days"),
            ("history_days = \"a year\"\n", 1, "history_days"),
            ("verify_every = 30\n", 1, "verify_every must be 0 (never) or a number of seconds from 60"),
            ("verify_every = -1\n", 1, "verify_every"),
            ("verify_every = 9999999\n", 1, "verify_every"),
            ("verify_every = \"hourly\"\n", 1, "verify_every"),
            ("[day]\nstart = 17\nend = 9\n", nil, "end must be after start"),
        ]
        for (text, line, fragment) in cases {
            let path = dir.file("config.toml")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Config.resolve(Config.Overrides(config: path), environment: [:]), text) { error in
                guard case .badConfig(let p, let l, let reason)? = error as? TallyError else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path)
                if let line { XCTAssertEqual(l, line, text) }
                if let fragment { XCTAssertTrue(reason.contains(fragment), reason) }
                XCTAssertEqual(error.userMessage.split(separator: "\n").count, 1)
            }
        }
        XCTAssertThrowsError(try Config.resolve(Config.Overrides(config: dir.file("absent.toml")), environment: [:]))
        try Data([0xff, 0xfe, 0x00]).write(to: URL(fileURLWithPath: dir.file("binary.toml")))
        XCTAssertThrowsError(try Config.resolve(Config.Overrides(config: dir.file("binary.toml")), environment: [:]))
    }

    func testAwaySettingsFromFileAndEnvironment() throws {
        let dir = TempDirectory()
        let path = dir.file("config.toml")
        let defaults = try Config.resolve(Config.Overrides(), environment: ["HOME": dir.path])
        XCTAssertEqual(defaults.awayAfter, 600)
        XCTAssertEqual(defaults.awayRefresh, 3600)
        try "away_after = 120\naway_refresh = 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        var config = try Config.resolve(Config.Overrides(config: path), environment: [:])
        XCTAssertEqual(config.awayAfter, 120)
        XCTAssertEqual(config.awayRefresh, 0, "0: never sync while away")
        config = try Config.resolve(Config.Overrides(config: path), environment: ["TALLY_AWAY_AFTER": "2", "TALLY_AWAY_REFRESH": "1800"])
        XCTAssertEqual(config.awayAfter, 2, "the environment beats the file")
        XCTAssertEqual(config.awayRefresh, 1800)
        for (name, value) in [("TALLY_AWAY_AFTER", "0"), ("TALLY_AWAY_AFTER", "soon"), ("TALLY_AWAY_REFRESH", "-1")] {
            XCTAssertThrowsError(try Config.resolve(Config.Overrides(config: path), environment: [name: value]), name) { error in
                XCTAssertTrue(error.userMessage.contains(name), error.userMessage)
            }
        }
        for text in ["away_after = 0\n", "away_refresh = -5\n", "away_refresh = \"hourly\"\n"] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Config.resolve(Config.Overrides(config: path), environment: [:]), text) { error in
                guard case .badConfig(_, let line, let reason)? = error as? TallyError else { return XCTFail("\(error)") }
                XCTAssertEqual(line, 1)
                XCTAssertTrue(reason.contains("away_"), reason)
            }
        }
    }

    func testScopeDayAndTimeZone() throws {
        let dir = TempDirectory()
        let path = dir.file("config.toml")
        XCTAssertEqual(try Config.resolve(Config.Overrides(), environment: ["HOME": dir.path]).scope, .workos)
        try "scope = \"all\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Config.resolve(Config.Overrides(config: path), environment: [:]).scope, .everything)
        XCTAssertEqual(try Config.resolve(Config.Overrides(), environment: ["HOME": dir.path]).historyDays, 371)
        try """
            time_zone = "America/New_York"
            history_days = 730
            [scope]
            categories = ["work", "personal"]
            done_days = 0
            goal_days = 60
            [day]
            start = 8
            end = 17.5
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try Config.resolve(Config.Overrides(config: path), environment: [:])
        XCTAssertEqual(config.scope, SyncScope(taskCategories: ["work", "personal"], doneDays: nil, goalDays: 60))
        XCTAssertEqual(config.workday, 8...17.5)
        XCTAssertEqual(config.timeZone, "America/New_York")
        XCTAssertEqual(SyncOptions(config).scope, config.scope)
        XCTAssertEqual(SyncOptions(config).historyDays, 730)
    }

    func testVerifyEveryIsReadAndReachesTheSyncOptions() throws {
        let dir = TempDirectory()
        let path = dir.file("config.toml")
        XCTAssertEqual(try Config.resolve(Config.Overrides(), environment: ["HOME": dir.path]).verifyEvery, 3600)
        for (text, seconds) in [("verify_every = 0\n", 0.0), ("verify_every = 60\n", 60), ("verify_every = 86400.5\n", 86400.5)] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let config = try Config.resolve(Config.Overrides(config: path), environment: [:])
            XCTAssertEqual(config.verifyEvery, seconds, text)
            XCTAssertEqual(SyncOptions(config).verifyEvery, seconds, text)
        }
    }

    func testPrimaryURLs() throws {
        let pg = try PrimaryLocation(parsing: "postgres://tally:s3cr%40t@db.example.com:6543/work?sslmode=require")
        guard case .postgres(let url) = pg else { return XCTFail() }
        XCTAssertEqual(url.user, "tally")
        XCTAssertEqual(url.password, "s3cr@t")
        XCTAssertEqual(url.host, "db.example.com")
        XCTAssertEqual(url.port, 6543)
        XCTAssertEqual(url.database, "work")
        XCTAssertEqual(url.tls, .require)
        XCTAssertEqual(pg.description, "postgres://tally:***@db.example.com:6543/work?sslmode=require")
        XCTAssertFalse(pg.description.contains("s3cr"))
        XCTAssertEqual(try PrimaryLocation(parsing: "sqlite:///tmp/p.db"), .sqlite(path: "/tmp/p.db"))
        guard case .postgres(let plain) = try PrimaryLocation(parsing: "postgresql://me@localhost/db") else { return XCTFail() }
        XCTAssertEqual(plain.port, 5432)
        XCTAssertNil(plain.password)

        let bad = ["mysql://u:pw@h/db", "postgres://u:topsecret@:5432/db", "postgres://u:topsecret@h:99999/db",
                   "postgres://u:topsecret@h:port/db", "sqlite://relative.db", "just words", "postgres://u:topsecret@h/db?sslmode=sure"]
        for text in bad {
            XCTAssertThrowsError(try PrimaryLocation(parsing: text), text) { error in
                XCTAssertFalse(error.userMessage.contains("topsecret"), error.userMessage)
                XCTAssertEqual(error.userMessage.split(separator: "\n").count, 1)
            }
        }
    }

    func testAPortThatIsNotANumberIsNamedAndThePasswordIsNot() {
        let cases = [
            ("postgres://u:topsecret@127.0.0.1:abc/db", "the port \"abc\" is not a number from 1 to 65535"),
            ("postgres://u:topsecret@h:65536", "the port \"65536\""),
            ("postgres://u:topsecret@[::1]:x1/db", "the port \"x1\""),
            ("postgres://u:top:secret@h:abc/db", "the port \"abc\""),
            ("postgres://h:5432x/db", "the port \"5432x\""),
            ("postgres://u:topsecret@h:/db", "empty"),
            ("postgres://u:top/secret@h/db", "must be percent-encoded"),
            ("postgres://u:top?secret@h:abc/db", "must be percent-encoded"),
        ]
        for (text, fragment) in cases {
            XCTAssertThrowsError(try PrimaryLocation(parsing: text), text) { error in
                XCTAssertTrue(error.userMessage.contains(fragment), "\(text): \(error.userMessage)")
                XCTAssertFalse(error.userMessage.contains("secret"), error.userMessage)
                XCTAssertEqual(error.userMessage.split(separator: "\n").count, 1)
            }
        }
        guard case .postgres(let url) = try? PrimaryLocation(parsing: "postgres://u:p%3A1@[::1]:6432/db") else {
            return XCTFail("an IPv6 host with a port parses")
        }
        XCTAssertEqual(url.port, 6432)
        XCTAssertEqual(url.password, "p:1")
        guard case .postgres(let query) = try? PrimaryLocation(parsing: "postgres://u:p@h:6000/db?application_name=a@b") else {
            return XCTFail("an '@' in the query leaves the port alone")
        }
        XCTAssertEqual(query.port, 6000)
    }

    func testMaskingAnyURLInText() {
        XCTAssertEqual(PrimaryLocation.maskAll("failed for postgres://a:b@h:1/d and sqlite:///x"),
                       "failed for postgres://a:***@h:1/d and sqlite:///x")
        XCTAssertEqual(PrimaryLocation.maskAll("no urls"), "no urls")
    }
}
