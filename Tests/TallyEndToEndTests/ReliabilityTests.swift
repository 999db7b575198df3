import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Damaged files, hostile data and secrets, through the real binary.
final class ReliabilityTests: XCTestCase {
    func makeDemo() throws -> TempDirectory {
        let dir = TempDirectory("tally-rel")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
        return dir
    }

    func damage(_ path: String, _ how: (FileHandle, UInt64) throws -> Void) throws {
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try how(handle, size)
        try handle.close()
    }

    func assertDetectedAndRepaired(_ dir: TempDirectory, file: StaticString = #filePath, line: UInt = #line) throws {
        let cache = dir.file("cache.db")
        let doctor = try Tally.run(["doctor", "--cache", cache])
        XCTAssertEqual(doctor.status, 1, doctor.stdout, file: file, line: line)
        XCTAssertTrue(doctor.stdout.contains("✗"), doctor.stdout, file: file, line: line)
        let repair = try Tally.run(["doctor", "--repair", "--cache", cache, "--primary", "sqlite://\(dir.file("primary.db"))"])
        XCTAssertEqual(repair.status, 0, repair.stdout + repair.stderr, file: file, line: line)
        XCTAssertTrue(repair.stdout.contains("Moved the old cache to \(cache).damaged-"), repair.stdout, file: file, line: line)
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("cache.db.damaged-") }
        XCTAssertFalse(aside.isEmpty, "the old file is kept aside", file: file, line: line)
        let healthy = try Tally.run(["doctor", "--cache", cache])
        XCTAssertEqual(healthy.status, 0, healthy.stdout, file: file, line: line)
        let tasks = try Tally.run(["tasks", "--status", "all", "--json", "--cache", cache])
        let list = try JSONSerialization.jsonObject(with: Data(tasks.stdout.utf8)) as? [Any]
        XCTAssertEqual(list?.count, Int(shell("sqlite3 '\(dir.file("primary.db"))' \"SELECT count(*) FROM tasks WHERE category = 'work'\"").output.trimmingCharacters(in: .whitespacesAndNewlines)), "the demo's work tasks", file: file, line: line)
    }

    func testACacheTruncatedMidPageIsDetectedAndRepaired() throws {
        let dir = try makeDemo()
        try damage(dir.file("cache.db")) { handle, size in try handle.truncate(atOffset: size / 2 + 1000) }
        try assertDetectedAndRepaired(dir)
    }

    func testACacheWithGarbageInItsHeaderIsDetectedAndRepaired() throws {
        let dir = try makeDemo()
        try damage(dir.file("cache.db")) { handle, _ in
            try handle.seek(toOffset: 0)
            handle.write(Data("GARBAGEGARBAGE!!GARBAGE".utf8))
        }
        let status = try Tally.run(["status", "--cache", dir.file("cache.db")])
        XCTAssertNotEqual(status.status, 0)
        XCTAssertEqual(status.stderr.split(separator: "\n").count, 1, status.stderr)
        try assertDetectedAndRepaired(dir)
    }

    func testHostileTitlesAreShownSafely() throws {
        let dir = try makeDemo()
        let cache = dir.file("cache.db")
        let long = String(repeating: "long ", count: 2000)
        let sql = """
            INSERT INTO cached_tasks (id, client_id, title, status, sort_order, created_at, updated_at) VALUES
              (9001, 7, 'Clear' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || ' screen', 'active', -10, 'x', 'x'),
              (9002, 7, 'Bell' || char(7) || char(8) || char(0) || 'and' || char(13) || 'controls' || char(155) || '31m', 'active', -9, 'x', 'x'),
              (9003, 7, CAST(X'496E76616C6964FFFE55544638' AS TEXT), 'active', -8, 'x', 'x'),
              (9004, 7, '\(long)', 'active', -7, 'x', 'x'),
              (9005, 7, 'مرحبا بالعالم ‮reversed‬ שלום', 'active', -6, 'x', 'x'),
              (9006, 7, '🎉🚀 emoji 👩‍💻 and 漢字テスト', 'active', -5, 'x', 'x');
            """
        let inserted = shell("sqlite3 '\(cache)' \"\(sql.replacingOccurrences(of: "\"", with: "\\\""))\"")
        XCTAssertEqual(inserted.status, 0, inserted.output)
        for size in ["100x30", "60x15", "200x60", "1x1"] {
            let render = try Tally.run(["render", "--cache", cache, "--size", size])
            XCTAssertEqual(render.status, 0, render.stderr)
            XCTAssertFalse(render.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no control characters at \(size)")
            XCTAssertFalse(render.stdout.unicodeScalars.contains { (0x80...0x9f).contains($0.value) })
            if size == "100x30" {
                XCTAssertTrue(render.stdout.contains("Clear"), render.stdout)
                XCTAssertTrue(render.stdout.contains("漢字") || render.stdout.contains("emoji"), render.stdout)
                for line in render.stdout.split(separator: "\n") {
                    XCTAssertLessThanOrEqual(line.count, 100, "a line overflowed: \(line)")
                }
            }
        }
        let tasks = try Tally.run(["tasks", "--cache", cache])
        XCTAssertEqual(tasks.status, 0)
        XCTAssertFalse(tasks.stdout.contains("\u{1b}"))
        let json = try Tally.run(["tasks", "--json", "--cache", cache])
        XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8)), "JSON stays valid")
    }

    func testAWrongPasswordNeverReachesOutputLogsOrFailures() throws {
        let base = try PostgresServer.require()
        let secret = "Sup3r-Secret-\(UInt32.random(in: 0...UInt32.max))"
        let wrong = base.replacingOccurrences(of: "tally-test-pw", with: secret)
        let dir = TempDirectory("tally-secret")
        let state = dir.path + "/state"
        let cache = dir.file("cache.db")
        let env = ["XDG_STATE_HOME": state]
        var outputs: [String] = []
        let sync = try Tally.run(["sync", "--cache", cache, "--primary", wrong], environment: env)
        XCTAssertNotEqual(sync.status, 0)
        XCTAssertTrue((sync.stdout + sync.stderr).contains("refused the password"), sync.stdout + sync.stderr)
        outputs.append(sync.stdout + sync.stderr)
        for arguments in [["failures", "--json"], ["status", "--json"], ["render", "--view", "failures"], ["render"], ["doctor"]] {
            let result = try Tally.run(arguments + ["--cache", cache, "--primary", wrong], environment: env)
            outputs.append(result.stdout + result.stderr)
        }
        let complete = try Tally.run(["complete", "1", "--cache", cache, "--primary", wrong], environment: env)
        outputs.append(complete.stdout + complete.stderr)
        outputs.append((try? String(contentsOfFile: state + "/tally/tally.log", encoding: .utf8)) ?? "")
        outputs.append(shell("sqlite3 '\(cache)' 'SELECT * FROM tally_sync_failures; SELECT * FROM tally_sync_jobs; SELECT * FROM cache_meta'").output)
        for (index, text) in outputs.enumerated() {
            XCTAssertFalse(text.contains(secret), "output \(index) shows the password: \(text)")
        }
        XCTAssertTrue(outputs.last?.contains("auth") ?? false)
    }
}
