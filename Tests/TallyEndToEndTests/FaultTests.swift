import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Faults around the real binary: `kill -9` mid-completion, a full disk, a read-only
/// cache directory, and a damaged cache found when the dashboard starts.
final class FaultTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primary: String { dir.file("primary.db") }
    var primaryURL: String { "sqlite://\(primary)" }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-fault")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    func sqlite(_ path: String, _ sql: String) -> String {
        shell("sqlite3 '\(path)' \"\(sql)\"").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The absolute path of a program on PATH, or nil.
    func program(_ name: String) -> String? {
        let found = shell("command -v \(name)").output.trimmingCharacters(in: .whitespacesAndNewlines)
        return found.hasPrefix("/") ? found : nil
    }

    /// One line on stderr starting `tally: `, a non-zero exit, no crash.
    func assertOneClearLine(_ result: CommandResult, _ label: String, containing fragment: String? = nil,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "\(label): exit status", file: file, line: line)
        XCTAssertLessThan(result.status, 128, "\(label): killed by a signal", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "\(label): \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("tally: "), "\(label): \(result.stderr)", file: file, line: line)
        for crash in ["Fatal error", "Backtrace", "Illegal instruction", "Segmentation"] {
            XCTAssertFalse(result.stderr.contains(crash) || result.stdout.contains(crash), "\(label): \(result.stderr)", file: file, line: line)
        }
        if let fragment {
            XCTAssertTrue(result.stderr.contains(fragment), "\(label): expected “\(fragment)” in \(result.stderr)", file: file, line: line)
        }
    }

    func assertQuickCheckOK(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(sqlite(path, "PRAGMA quick_check"), "ok", path, file: file, line: line)
    }

    // MARK: kill -9 during a completion

    func testKill9AtRandomPointsOfACompletionNeitherLosesNorDoublesPoints() throws {
        let ids = sqlite(cache, "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 6")
            .split(separator: "\n").compactMap { Int64($0) }
        XCTAssertEqual(ids.count, 6)
        guard ids.count == 6 else { return }
        let today = LocalDay(Date()).description
        func earned() -> Int { Int(sqlite(primary, "SELECT coalesce(sum(earned_points), 0) FROM daily_goals WHERE date = '\(today)'")) ?? -1 }
        let before = earned()
        let points = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0 + 1) })
        let environment = ["XDG_STATE_HOME": dir.path + "/state"]
        func arguments(_ id: Int64) -> [String] {
            ["complete", "\(id)", "--points", "\(points[id] ?? 1)", "--cache", cache, "--primary", primaryURL]
        }

        // One completion left alone tells how long the process lives; the kills fall inside it.
        let started = Date()
        let whole = try Tally.run(arguments(ids[5]), environment: environment)
        let lifetime = Date().timeIntervalSince(started)
        XCTAssertEqual(whole.status, 0, whole.stderr)

        var env = ProcessInfo.processInfo.environment
        env["XDG_STATE_HOME"] = dir.path + "/state"
        env["XDG_CONFIG_HOME"] = dir.path + "/no-config"
        env.removeValue(forKey: "TALLY_PRIMARY")
        var delays: [Int] = []
        for iteration in 0..<15 {
            let id = ids[iteration % 5]
            let delay = Int.random(in: 0...max(1, Int(lifetime * 1_200_000)))
            delays.append(delay / 1000)
            guard let pid = spawnBackground([Repository.binary] + arguments(id), environment: env,
                                            logPath: dir.file("complete-\(iteration).log")) else {
                return XCTFail("could not start tally complete")
            }
            usleep(useconds_t(delay))
            kill(pid, SIGKILL)
            reap(pid)
        }
        let context = "lifetime \(Int(lifetime * 1000)) ms, kills after \(delays) ms"

        // The restart: a sync replays anything queued and brings the cache up to the primary.
        let sync = try Tally.run(["sync", "--cache", cache, "--primary", primaryURL], environment: environment)
        XCTAssertEqual(sync.status, 0, sync.stdout + sync.stderr)
        assertQuickCheckOK(cache)
        assertQuickCheckOK(primary)
        XCTAssertEqual(sqlite(cache, "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL"), "0", context)

        var expected = 0
        for id in ids {
            let remote = sqlite(primary, "SELECT status || ' ' || coalesce(points_final, '') FROM tasks WHERE id = \(id)")
            let local = sqlite(cache, "SELECT status || ' ' || coalesce(points_final, '') FROM cached_tasks WHERE id = \(id)")
            XCTAssertEqual(local, remote, "task \(id): the cache follows the primary (\(context))")
            // Counted at most once: the goal row's total below is exactly the done tasks' points.
            if remote.hasPrefix("done") {
                XCTAssertEqual(remote, "done \(points[id] ?? 0)", "task \(id)")
                expected += points[id] ?? 0
            }
        }
        XCTAssertEqual(earned() - before, expected, "today's points on the primary are exactly the done tasks' points (\(context))")
        XCTAssertEqual(sqlite(cache, "SELECT coalesce(sum(earned_points), 0) FROM cached_daily_goals WHERE date = '\(today)'"), "\(earned())",
                       "the cache's goal agrees with the primary")
        let goals = sqlite(primary, "SELECT count(*) FROM daily_goals WHERE date = '\(today)'")
        XCTAssertEqual(goals, "1", "one goal row for today, never a second")
    }

    // MARK: Disk full

    func testAFullDiskGivesOneClearLineAndLeavesTheCacheSound() throws {
        let id = try XCTUnwrap(Int64(sqlite(cache, "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1")))
        let volume = dir.path + "/volume"
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        var prefix: [String] = []
        var expected = "the disk is full"
        let mounted = ProcessInfo.processInfo.environment["TALLY_TEST_NO_MOUNT"] == nil
            && getuid() == 0 && shell("mount -t tmpfs -o size=2m,mode=0700 tally-test '\(volume)'").status == 0
        if mounted {
            addTeardownBlock { shell("umount -l '\(volume)'") }
        } else if let prlimit = program("prlimit") {
            // No tmpfs here (not root, or mounting is not permitted): a file-size limit of 4 KiB
            // makes every write that grows the WAL fail the same way a full disk does.
            prefix = [prlimit, "--fsize=4096"]
            expected = "file size limit"
        } else {
            if Repository.isCI { XCTFail("neither a tmpfs mount nor prlimit is available under CI=true") }
            throw XCTSkip("cannot simulate a full disk here")
        }
        // The cache on the small volume; the primary stays where there is room.
        let full = volume + "/cache.db"
        XCTAssertTrue(shell("cp '\(cache)' '\(full)'").status == 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache + "-wal"), "the demo closed its cache cleanly")
        if mounted { shell("dd if=/dev/zero of='\(volume)/filler' bs=4096 2>/dev/null") }
        let environment = ["XDG_STATE_HOME": dir.path + "/state"]
        let cases: [(String, [String])] = [
            ("complete", ["complete", "\(id)", "--cache", full, "--primary", primaryURL]),
            ("sync", ["sync", "--full", "--cache", full, "--primary", primaryURL]),
            ("status", ["status", "--cache", full]),
        ]
        for (label, arguments) in cases {
            let result = try Tally.run(arguments, environment: environment, prefix: prefix)
            assertOneClearLine(result, label, containing: expected)
        }
        // Room again: nothing was corrupted and the next sync catches up with the primary.
        if mounted { try FileManager.default.removeItem(atPath: volume + "/filler") }
        assertQuickCheckOK(full)
        let sync = try Tally.run(["sync", "--cache", full, "--primary", primaryURL], environment: environment)
        XCTAssertEqual(sync.status, 0, sync.stdout + sync.stderr)
        XCTAssertEqual(sqlite(full, "SELECT status FROM cached_tasks WHERE id = \(id)"),
                       sqlite(primary, "SELECT status FROM tasks WHERE id = \(id)"))
        assertQuickCheckOK(full)
    }

    // MARK: Read-only cache directory

    /// The ids `tally tasks --json` lists, or nil when its output is not a JSON array of tasks.
    func listedIDs(_ result: CommandResult) -> [Int64]? {
        guard let rows = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else { return nil }
        return rows.compactMap { ($0["id"] as? NSNumber)?.int64Value }
    }

    /// A cache in a directory this user may not write is shown fully and nothing is
    /// created or written. SQLite cannot create the WAL's `-shm` there; with no commit left in a
    /// `-wal` the cache is read `immutable`, with the `-wal` and `-shm` a writer left it is read
    /// the normal way, and a `-wal` holding commits without its `-shm` gets one clear line.
    func testAReadOnlyCacheDirectoryIsShownAndNotChanged() throws {
        let id = try XCTUnwrap(Int64(sqlite(cache, "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1")))
        let locked = dir.path + "/locked"
        let lockedWAL = dir.path + "/locked-wal"       // a -wal with a commit, no -shm
        let lockedShared = dir.path + "/locked-shm"    // the -wal and -shm of a writer still open
        let state = dir.path + "/state-ro"
        let fm = FileManager.default
        for directory in [locked, lockedWAL, lockedShared, state] {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        XCTAssertEqual(shell("cp '\(cache)' '\(locked)/cache.db'").status, 0)
        XCTAssertFalse(fm.fileExists(atPath: cache + "-wal"), "the demo closed its cache cleanly")

        // Another program's writer, its connection still open: the commit is in the -wal only.
        let source = dir.file("writer.db")
        let copies = [(lockedWAL, ["", "-wal"]), (lockedShared, ["", "-wal", "-shm"])].flatMap { directory, suffixes in
            suffixes.map { ".shell cp '\(source)\($0)' '\(directory)/cache.db\($0)'" }
        }
        let script = ["PRAGMA journal_mode = WAL;", "PRAGMA wal_autocheckpoint = 0;",
                      "UPDATE cached_tasks SET title = 'Only in the WAL' WHERE id = \(id);"] + copies
        XCTAssertEqual(shell("cp '\(cache)' '\(source)' && sqlite3 '\(source)' <<'SQL'\n\(script.joined(separator: "\n"))\nSQL").status, 0)
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: lockedShared).sorted(), ["cache.db", "cache.db-shm", "cache.db-wal"])

        var prefix: [String] = []
        if getuid() == 0 {
            // Root ignores permissions: run the binary as nobody, who owns the files but may not
            // write the directory.
            guard let setpriv = program("setpriv") else {
                if Repository.isCI { XCTFail("setpriv is required under CI=true when the tests run as root") }
                throw XCTSkip("setpriv not available")
            }
            let uid = shell("id -u nobody").output.trimmingCharacters(in: .whitespacesAndNewlines)
            let gid = shell("id -g nobody").output.trimmingCharacters(in: .whitespacesAndNewlines)
            prefix = [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups"]
            XCTAssertEqual(shell("chmod 755 '\(dir.path)' && chown -R \(uid):\(gid) '\(locked)' '\(lockedWAL)' '\(lockedShared)' '\(state)' '\(primary)'*").status, 0)
        }
        for directory in [locked, lockedWAL, lockedShared] {
            XCTAssertEqual(shell("chmod 500 '\(directory)'").status, 0)
            addTeardownBlock { shell("chmod 700 '\(directory)'") }
        }
        let readOnly = locked + "/cache.db"
        func listing(_ directory: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted() }
        let before = try Data(contentsOf: URL(fileURLWithPath: readOnly))
        let environment = ["XDG_STATE_HOME": state]

        for (label, arguments) in [
            ("complete", ["complete", "\(id)", "--cache", readOnly, "--primary", primaryURL]),
            ("sync", ["sync", "--cache", readOnly, "--primary", primaryURL]),
        ] {
            let result = try Tally.run(arguments, environment: environment, prefix: prefix)
            assertOneClearLine(result, label, containing: "read-only")
        }

        // Commands that only read show the cache in full.
        let expected = try Tally.run(["tasks", "--json", "--cache", cache])
        XCTAssertEqual(expected.status, 0, expected.stderr)
        let expectedIDs = try XCTUnwrap(listedIDs(expected), expected.stdout)
        XCTAssertTrue(expectedIDs.contains(id))
        let tasks = try Tally.run(["tasks", "--json", "--cache", readOnly], environment: environment, prefix: prefix)
        XCTAssertEqual(tasks.status, 0, tasks.stderr)
        XCTAssertEqual(listedIDs(tasks), expectedIDs, "every task is listed: \(tasks.stdout.prefix(300))")
        let title = sqlite(cache, "SELECT title FROM cached_tasks WHERE id = \(id)")
        let render = try Tally.run(["render", "--size", "140x40", "--cache", readOnly], environment: environment, prefix: prefix)
        XCTAssertEqual(render.status, 0, render.stderr)
        XCTAssertTrue(render.stdout.contains("READ-ONLY"), render.stdout)
        XCTAssertTrue(render.stdout.contains(String(title.prefix(20))), "the tasks are shown: \(render.stdout)")
        let status = try Tally.run(["status", "--json", "--cache", readOnly], environment: environment, prefix: prefix)
        XCTAssertTrue([0, 1].contains(status.status), "healthy or stale, not an error: \(status.stderr)")
        XCTAssertTrue(status.stderr.isEmpty, status.stderr)
        let doctor = try Tally.run(["doctor", "--cache", readOnly], environment: environment, prefix: prefix)
        XCTAssertFalse(doctor.stdout.contains("is damaged"), "a read-only directory is not damage: \(doctor.stdout)")
        XCTAssertTrue(doctor.stdout.contains("quick_check ok"), doctor.stdout)
        XCTAssertEqual(listing(locked), ["cache.db"], "no -wal or -shm was created")

        // The -wal and -shm a writer left: read the normal way, its newest commit included.
        let shared = try Tally.run(["tasks", "--json", "--cache", lockedShared + "/cache.db"], environment: environment, prefix: prefix)
        XCTAssertEqual(shared.status, 0, shared.stderr)
        XCTAssertTrue(shared.stdout.contains("Only in the WAL"), "the WAL's commit is shown: \(shared.stdout.prefix(300))")

        // A commit in a -wal without its -shm cannot be read here: one clear line, never old data.
        for arguments in [["tasks"], ["render", "--size", "80x24"], ["status"]] {
            let result = try Tally.run(arguments + ["--cache", lockedWAL + "/cache.db"], environment: environment, prefix: prefix)
            assertOneClearLine(result, "\(arguments[0]) with an unreadable WAL", containing: "cache.db-wal")
            XCTAssertTrue(result.stderr.contains("make the directory writable"), result.stderr)
        }
        XCTAssertEqual(listing(lockedWAL), ["cache.db", "cache.db-wal"], "nothing was created")

        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: readOnly)), before, "the file is untouched")
        XCTAssertEqual(sqlite(primary, "SELECT status FROM tasks WHERE id = \(id)"), "active", "nothing reached the primary either")
        shell("chmod 700 '\(locked)' '\(lockedWAL)' '\(lockedShared)'")
        assertQuickCheckOK(readOnly)
        XCTAssertEqual(sqlite(lockedWAL + "/cache.db", "SELECT title FROM cached_tasks WHERE id = \(id)"), "Only in the WAL",
                       "the log's commit is still there once the directory is writable")
    }

    // MARK: Damaged cache at dashboard start

    /// Overwrites one page of `cached_tasks` with garbage: the header and schema stay readable,
    /// so only `PRAGMA quick_check` (or a read of that page) finds it.
    func damageOneTaskPage(_ path: String) throws {
        let pages = sqlite(path, "SELECT pageno FROM dbstat WHERE name = 'cached_tasks' AND pagetype = 'leaf' ORDER BY pageno")
            .split(separator: "\n").compactMap { Int($0) }
        let page = try XCTUnwrap(pages.dropFirst(pages.count / 2).first, "dbstat lists the table's pages")
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64((page - 1) * 4096))
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 4096))
        try handle.close()
        XCTAssertNotEqual(sqlite(path, "PRAGMA quick_check"), "ok")
    }

    func testADamagedCacheAtDashboardStartIsShownWithoutAPrimary() throws {
        try TmuxDriver.require()
        try damageOneTaskPage(cache)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)'", width: 140, height: 40)
        let shown = tmux.wait(timeout: 15) { $0.contains("damaged") && $0.contains("tally doctor --repair") }
        XCTAssertTrue(shown.ok, shown.screen)
        XCTAssertFalse(shown.screen.contains("__EXITED__"), "the dashboard keeps running: \(shown.screen)")
        XCTAssertTrue(shown.screen.contains("✗"), "shown as an error")
        tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 0").ok, tmux.capture())
        // Nothing moved or rebuilt without a primary.
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("damaged-") }
        XCTAssertEqual(aside, [])
    }

    func testADamagedCacheAtDashboardStartIsRebuiltFromThePrimary() throws {
        try TmuxDriver.require()
        try damageOneTaskPage(cache)
        let tmux = try TmuxDriver("'\(Repository.binary)' --cache '\(cache)' --primary '\(primaryURL)'", width: 140, height: 40)
        let started = tmux.wait(timeout: 30) { $0.contains("Tasks · active") && $0.contains("Points") }
        XCTAssertTrue(started.ok, started.screen)
        XCTAssertFalse(started.screen.contains("damaged"), started.screen)
        tmux.send("q")
        let exited = tmux.wait(for: "__EXITED__ 0")
        XCTAssertTrue(exited.ok, exited.screen)
        XCTAssertTrue(exited.screen.contains("the old file is kept as"), exited.screen)
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("cache.db.damaged-") }
        XCTAssertFalse(aside.isEmpty, "the old file is kept aside")
        assertQuickCheckOK(cache)
        XCTAssertEqual(sqlite(cache, "SELECT count(*) FROM cached_tasks"), sqlite(primary, "SELECT count(*) FROM tasks WHERE category = 'work'"))
    }
}
