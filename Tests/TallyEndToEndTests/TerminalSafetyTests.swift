import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Hostile data and hostile input through the real binary: names holding escape sequences never
/// reach a terminal raw (stderr included), passwords in any URL shape are never echoed, absurd
/// values get one line, and a cache path that is not a file gets nothing made beside it.
final class TerminalSafetyTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primaryURL: String { "sqlite://\(dir.file("primary.db"))" }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-escapes")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "80"])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    /// No C0 but newline and tab, no DEL, no C1 (UTF-8 C2 80–9F), on either stream.
    static func assertClean(_ result: CommandResult, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        for (name, bytes) in [("stdout", [UInt8](result.rawStdout)), ("stderr", [UInt8](result.rawStderr))] {
            for (index, byte) in bytes.enumerated() {
                let c1 = byte == 0xc2 && index + 1 < bytes.count && (0x80...0x9f).contains(bytes[index + 1])
                if (byte < 0x20 && byte != 0x0a && byte != 0x09) || byte == 0x7f || c1 {
                    XCTFail("\(label): control byte 0x\(String(byte, radix: 16)) on \(name): \(String(decoding: bytes, as: UTF8.self).debugDescription)",
                            file: file, line: line)
                    break
                }
            }
        }
    }

    func sql(_ file: String, _ statement: String) {
        let result = shell("sqlite3 '\(file)' \"\(statement)\"")
        XCTAssertEqual(result.status, 0, result.output)
    }

    /// A client and habits named with OSC (window title), CSI (clear screen) and C1 CSI, in both
    /// the cache and the primary, as a sync from a hostile primary leaves them.
    func plantHostileNames() {
        let evil = "char(27)||']0;pwned'||char(7)||char(27)||'[2JEvil'||char(155)||'31m'"
        for (file, prefix) in [(cache, "cached_"), (dir.file("primary.db"), "")] {
            sql(file, "UPDATE \(prefix)clients SET name = \(evil) WHERE id = (SELECT min(id) FROM \(prefix)clients)")
            sql(file, "UPDATE \(prefix)habits SET name = char(27)||'[2JRun'||char(155)||'1m' WHERE id = 1")
            sql(file, "UPDATE \(prefix)habits SET name = char(27)||'[2JRun far' WHERE id = 2")
            sql(file, "UPDATE \(prefix)habits SET name = char(27)||']0;x'||char(7)||'Idle', is_active = 0 WHERE id = 3")
            sql(file, "UPDATE \(prefix)tasks SET title = 'Title'||char(155)||'2J'||char(133)||'end' WHERE id = (SELECT min(id) FROM \(prefix)tasks WHERE status = 'active')")
        }
    }

    func testNamesFromThePrimaryNeverReachATerminalRaw() throws {
        plantHostileNames()
        let options = ["--cache", cache, "--primary", primaryURL]
        let task = shell("sqlite3 '\(cache)' \"SELECT min(id) FROM cached_tasks WHERE status = 'active'\"").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let cases: [(String, [String], String)] = [
            ("add --client", ["add", "x", "--client", "nope"], "clients: "),
            ("tasks --client", ["tasks", "--client", "nope"], "clients: "),
            ("edit --client", ["edit", task, "--client", "nope"], "clients: "),
            ("habit done, ambiguous", ["habit", "done", "Run"], "matches 2 habits"),
            ("habit done, inactive", ["habit", "done", "3"], "is inactive"),
        ]
        for (label, arguments, fragment) in cases {
            let result = try Tally.run(arguments + options)
            XCTAssertNotEqual(result.status, 0, label)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(fragment), "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("Evil") || result.stderr.contains("Run") || result.stderr.contains("Idle"),
                          "\(label): the names are shown as text: \(result.stderr)")
            Self.assertClean(result, label)
        }
        for arguments in [["tasks"], ["tasks", "--json"], ["habits"], ["habits", "--json"], ["status"], ["history", "--days", "3"]] {
            let result = try Tally.run(arguments + options)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            Self.assertClean(result, arguments.joined(separator: " "))
        }
        // JSON keeps the characters, escaped.
        let json = try Tally.run(["tasks", "--json"] + options)
        XCTAssertTrue(json.stdout.contains(#"Title\u009b2J\u0085end"#), json.stdout)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertTrue(rows.contains { ($0["title"] as? String) == "Title\u{9b}2J\u{85}end" })
    }

    /// A DATABASE_URL of any shape is never echoed with its password, and one that does not
    /// parse does not stop commands that need no primary.
    func testPasswordsInAnyURLShapeAreNeverShown() throws {
        let urls = ["user:hunter2@db.example.com/work", "postgres//user:hunter2@db/work", "hunter2",
                    "postgres://user:hunt er2@db/work", "mysql+odd://u:hunter2@db/w", "postgres://127.0.0.1:1/w?password=hunter2",
                    "host=db password=hunter2"]
        // First the commands that need no primary (before any sync has failed and made the
        // cache's health "last sync failed").
        for url in urls where (try? PrimaryLocation(parsing: url)) == nil {
            for arguments in [["status"], ["tasks"], ["habits"], ["history"], ["failures"], ["render", "--size", "80x24"]] {
                let result = try Tally.run(arguments + ["--cache", cache], environment: ["DATABASE_URL": url])
                XCTAssertEqual(result.status, 0, "\(url) / \(arguments): a DATABASE_URL that does not parse leaves it alone: \(result.stderr)")
                XCTAssertFalse(result.stdout.isEmpty, "\(url) / \(arguments)")
            }
        }
        for url in urls {
            for arguments in [["sync"], ["complete", "1"], ["doctor"], ["primary", "init"]] {
                let result = try Tally.run(arguments + ["--cache", cache], environment: ["DATABASE_URL": url], timeout: 60)
                XCTAssertFalse(result.stdout.contains("hunter2") || result.stderr.contains("hunter2") || result.stderr.contains("er2@"),
                               "\(url) / \(arguments): \(result.stdout)\(result.stderr)")
            }
        }
        // Given to Tally itself, a bad URL is still reported (without the password).
        let flagged = try Tally.run(["status", "--cache", cache, "--primary", "user:hunter2@db/work"])
        XCTAssertEqual(flagged.status, 1)
        XCTAssertTrue(flagged.stderr.contains("(from --primary)"), flagged.stderr)
        XCTAssertFalse(flagged.stderr.contains("hunter2"), flagged.stderr)
    }

    /// Durations that would overflow a timer's nanoseconds or an Int of seconds, from each place
    /// a setting comes from: one line, no crash.
    func testAbsurdDurationsGetOneLine() throws {
        let config = dir.file("huge.toml")
        try "refresh = 1e300\n".write(toFile: config, atomically: true, encoding: .utf8)
        let cases: [([String], [String: String], String)] = [
            (["mcp", "--refresh", "2e10"], [:], "refresh must be at most 31536000 seconds"),
            (["--refresh", "1e300"], [:], "refresh must be at most"),
            (["status", "--stale-after", "1e300"], [:], "stale-after must be at most"),
            (["status"], ["TALLY_STALE_AFTER": "1e300"], "TALLY_STALE_AFTER must be at most"),
            (["mcp"], ["TALLY_REFRESH": "inf"], "TALLY_REFRESH must be a number of seconds"),
            (["status", "--config", config], [:], "line 1: refresh must be at most"),
            (["mcp", "--config", config], [:], "line 1: refresh must be at most"),
            (["demo", "--no-ui", "--tasks", "99999999999999999999999"], [:], "--tasks is out of range"),
            (["history", "--days", "-4"], [:], "--days must be from 1 to 36600, got -4"),
            (["tasks", "--limit", "0"], [:], "--limit must be from 1 to 1000000"),
            (["failures", "--limit", "-1"], [:], "--limit must be from 1 to 100000, got -1"),
        ]
        for (arguments, environment, fragment) in cases {
            let result = try Tally.run(arguments + ["--cache", cache], environment: environment, timeout: 30)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertLessThan(result.status, 128, "\(arguments): killed by a signal")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(fragment), "\(arguments) \(environment): \(result.stderr)")
        }
    }

    /// Ids as people mistype them: the message says what is wrong with the value.
    func testIdsAndClientsSayWhatIsWrong() throws {
        let options = ["--cache", cache, "--primary", primaryURL]
        let cases: [([String], String)] = [
            (["add", "x", "--client", "-1"], "--client must be a client's name or a positive id, got -1"),
            (["habit", "done", "-1"], "The habit id must be a positive number, got -1"),
            (["habit", "done", "0"], "The habit id must be a positive number, got 0"),
            (["complete", "1234567890123456789012"], "The task id is out of range"),
            (["edit", "1234567890123456789012", "--title", "x"], "The task id is out of range"),
            (["complete", "-7"], "The task id must be a positive number, got -7"),
            (["sync", "--resume", "-3"], "The job id must be a positive number, got -3"),
        ]
        for (arguments, fragment) in cases {
            let result = try Tally.run(arguments + options)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
        }
        // A habit named by words, as typed without quotes, still works.
        let done = try Tally.run(["habit", "done", "Drink", "water"] + options)
        XCTAssertEqual(done.status, 0, done.stderr)
        // A title's control characters are removed, and the person is told.
        let added = try Tally.run(["add", "Tab\there\u{1b}[31mred"] + options)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stderr.contains("the title's control characters were removed"), added.stderr)
        let id = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(shell("sqlite3 '\(dir.file("primary.db"))' \"SELECT title FROM tasks WHERE id = \(id)\"").output
            .trimmingCharacters(in: .whitespacesAndNewlines), "Tab herered")
    }

    /// `--cache` naming a device, a pipe or a directory: refused, and no `-journal`, `-wal` or
    /// `-shm` made beside it.
    func testACacheThatIsNotAFileGetsNothingBesideIt() throws {
        let fifo = dir.file("pipe.db")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let folder = dir.file("folder.db")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for path in ["/dev/null", "/dev/zero", fifo, folder] {
            for arguments in [["status"], ["tasks"], ["sync", "--primary", primaryURL], ["doctor", "--repair", "--force", "--primary", primaryURL]] {
                let result = try Tally.run(arguments + ["--cache", path], timeout: 30)
                XCTAssertNotEqual(result.status, 0, "\(path) / \(arguments)")
                XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "\(path) / \(arguments): \(result.stderr)")
                for suffix in ["-journal", "-wal", "-shm", ".tally-writes"] {
                    XCTAssertFalse(FileManager.default.fileExists(atPath: path + suffix), "\(path)\(suffix) made by \(arguments)")
                }
            }
        }
        var info = stat()
        XCTAssertEqual(stat("/dev/null", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "/dev/null is still the device")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder), "the directory was not moved aside")
    }

    /// The writes marker beside the cache is not followed through a symlink planted there.
    func testTheWritesMarkerDoesNotFollowASymlink() throws {
        let target = dir.file("planted-target")
        let marker = cache + ".tally-writes"
        try? FileManager.default.removeItem(atPath: marker)
        try FileManager.default.createSymbolicLink(atPath: marker, withDestinationPath: target)
        let task = shell("sqlite3 '\(cache)' \"SELECT min(id) FROM cached_tasks WHERE status = 'active'\"").output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try Tally.run(["complete", task, "--cache", cache, "--primary", primaryURL])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "the symlink's target was created")
        // And an existing target's time is not touched.
        try Data().write(to: URL(fileURLWithPath: target))
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: target)
        let sync = try Tally.run(["sync", "--cache", cache, "--primary", primaryURL])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        let modified = try FileManager.default.attributesOfItem(atPath: target)[.modificationDate] as? Date
        XCTAssertEqual(modified, old, "the target was touched through the symlink")
    }
}
