import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

final class CacheStoreTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_345_200)  // 2026-11-22T09:00:00Z
    let utc = TimeZone(identifier: "UTC")!

    /// A cache made with the WorkOS DDL holding NULL in every nullable column and text enums
    /// Tally has never heard of.
    func makeHostileCache(_ path: String) throws {
        try FixtureCache.make(at: path) { db in
            try db.execute(sql: "INSERT INTO cached_clients (id, name) VALUES (1, 'Nulls Inc')")
            try db.execute(sql: "INSERT INTO cached_clients (id, name, type, color, is_active) VALUES (2, 'Odd', 'partner', 'not-a-colour', 7)")
            try db.execute(sql: "INSERT INTO cached_tasks (id, title) VALUES (1, 'Only a title')")
            try db.execute(sql: """
                INSERT INTO cached_tasks (id, client_id, title, status, value_tier, effort_estimate, drain_type, points_final)
                VALUES (2, 2, 'Strange one', 'blocked', 'legendary', 'lots', 'spiritual', 'x')
                """)
            try db.execute(sql: "INSERT INTO cached_tasks (id, client_id, title, status) VALUES (3, 99, 'Active, unknown client', 'active')")
            try db.execute(sql: "INSERT INTO cached_daily_goals (id) VALUES (1)")
            try db.execute(sql: "INSERT INTO cached_daily_goals (id, date, earned_points) VALUES (2, '2026-11-22', NULL)")
            try db.execute(sql: "INSERT INTO cached_habits (id, name) VALUES (1, 'Bare habit')")
            try db.execute(sql: "INSERT INTO cache_meta (key, value) VALUES ('lastSyncAt', 'whenever')")
        }
    }

    func testOpensACacheMadeByTheWorkOSDDLWithNullsAndUnknownValues() throws {
        let dir = TempDirectory()
        try makeHostileCache(dir.file("cache.db"))
        let store = try CacheStore(path: dir.file("cache.db"))
        let snapshot = try store.snapshot(query: TaskQuery(status: .all), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.clients.count, 2)
        XCTAssertEqual(snapshot.tasks.total, 3)
        let strange = try XCTUnwrap(snapshot.tasks.rows.first { $0.task.id == 2 })
        XCTAssertEqual(strange.task.taskStatus, .other("blocked"))
        XCTAssertEqual(strange.task.taskStatus.description, "blocked")
        XCTAssertNil(strange.task.effortEstimate)
        XCTAssertEqual(strange.task.effectivePoints, 2, "unknown tier, unreadable points: the default")
        XCTAssertEqual(strange.clientName, "Odd")
        XCTAssertEqual(snapshot.tasks.rows.first { $0.task.id == 1 }?.task.taskStatus, .missing)
        XCTAssertNil(snapshot.tasks.rows.first { $0.task.id == 3 }?.clientName)
        XCTAssertEqual(snapshot.goal.earned, 0)
        XCTAssertEqual(snapshot.habits.map(\.name), ["Bare habit"])
        XCTAssertNil(snapshot.lastSyncAt, "an unparseable lastSyncAt reads as never")
    }

    /// `--cache cache.db` names a file in the working directory: its permissions are read there.
    func testDoctorReadsTheDirectoryOfABareFileName() throws {
        let dir = TempDirectory()
        chmod(dir.path, 0o700)
        _ = try CacheStore(path: dir.file("cache.db"))
        let before = FileManager.default.currentDirectoryPath
        defer { _ = FileManager.default.changeCurrentDirectoryPath(before) }
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir.path))
        let report = CacheDoctor.check(path: "cache.db")
        let permissions = report.checks.first { $0.name == "permissions" }
        XCTAssertEqual(permissions?.detail, "file 600, directory 700")
    }

    func testLeavesTheContractTablesExactlyAsTheyWere() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        try FixtureCache.make(at: path)
        func schema() throws -> [String] {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try queue.read { db in
                try String.fetchAll(db, sql: """
                    SELECT sql FROM sqlite_master WHERE name NOT LIKE 'tally_%' AND name NOT LIKE 'grdb_%'
                      AND name NOT LIKE 'sqlite_%' AND sql IS NOT NULL ORDER BY name
                    """)
            }
        }
        let before = try schema()
        _ = try CacheStore(path: path)
        XCTAssertEqual(try schema(), before)
        let queue = try DatabaseQueue(path: path)
        let tables = try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        XCTAssertTrue(Set(tables).isSuperset(of: ["tally_sync_jobs", "tally_sync_failures", "tally_cache_stats", "tally_outbox"]))
        let mode = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }

    func testCreatesTheContractTablesWhenTheFileIsNew() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("new.db"))
        let tables = try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        XCTAssertTrue(Set(tables).isSuperset(of: WorkOSSchema.contractTables))
        let mode = (try FileManager.default.attributesOfItem(atPath: dir.file("new.db"))[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode.map { $0 & 0o777 }, 0o600)
    }

    func testMigrationsRunTwice() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        try FixtureCache.make(at: path)
        _ = try CacheStore(path: path)
        let again = try CacheStore(path: path)
        try again.close()
        let queue = try DatabaseQueue(path: path)
        try TallyMigrations.migrator.migrate(queue)
        try queue.close()
        let reopened = try CacheStore(path: path)
        let applied = try reopened.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        XCTAssertEqual(applied.last, TallyMigrations.latest)
        XCTAssertEqual(applied, ["tally-v1", "tally-v2", "tally-v3", "tally-v4", "tally-v5", "tally-v6"])
    }

    func testReadOnlyCacheIsShownAndNotChanged() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        try makeHostileCache(path)
        // Checkpoint so everything is in the main file, then make it read-only.
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let flagged = try CacheStore(path: path, readOnly: true)
        XCTAssertTrue(flagged.isReadOnly)
        let snapshot = try flagged.snapshot(query: TaskQuery(status: .all), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.tasks.total, 3)
        XCTAssertTrue(snapshot.isReadOnly)
        XCTAssertThrowsError(try flagged.writeNow { db in try db.execute(sql: "DELETE FROM cached_tasks") })
        try flagged.close()

        // File permissions bind everyone but root (CI runs as root, and root may write anyway).
        if getuid() != 0 {
            chmod(path, 0o444)
            defer { chmod(path, 0o600) }
            let byPermission = try CacheStore(path: path)
            XCTAssertTrue(byPermission.isReadOnly)
            XCTAssertEqual(try byPermission.snapshot(query: TaskQuery(status: .all), now: now, timeZone: utc).tasks.total, 3)
            try byPermission.close()
        }

        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "the file's bytes are unchanged")
    }

    /// A WAL cache whose `-shm` SQLite cannot make (a read-only directory; here a dangling
    /// symlink, which SQLite will not follow, so the test needs no other user) is still shown:
    /// read `immutable` while its log holds no commit, and reopened when someone changes it.
    func testAWALCacheWhoseShmCannotBeMadeIsShownAndFollowsChanges() throws {
        let dir = TempDirectory()
        // A name URI syntax cares about: the immutable open must escape it.
        let folder = dir.path + "/odd ?#% name"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/cache.db"
        try makeHostileCache(path)
        func writeElsewhere(_ sql: String) throws {
            try? FileManager.default.removeItem(atPath: path + "-shm")
            let other = try DatabaseQueue(path: path)
            try other.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: sql)
            }
            try other.close()  // the last connection: checkpoints and removes the -wal and -shm
        }
        func breakSharedMemory() throws {
            try FileManager.default.createSymbolicLink(atPath: path + "-shm", withDestinationPath: dir.file("nowhere"))
        }
        try writeElsewhere("PRAGMA wal_checkpoint(TRUNCATE)")
        try breakSharedMemory()
        XCTAssertThrowsError(try DatabaseQueue(path: path, configuration: {
            var config = Configuration(); config.readonly = true; return config }()).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks")
        }, "SQLite itself cannot read it the normal way")

        let store = try CacheStore(path: path, readOnly: true)
        XCTAssertTrue(store.isReadOnly)
        XCTAssertEqual(try store.snapshot(query: TaskQuery(status: .all), now: now, timeZone: utc).tasks.total, 3)
        let watcher = try ChangeWatcher(path: path)
        XCTAssertTrue(watcher.hasChanged())
        XCTAssertFalse(watcher.hasChanged())

        // Another program writes (and closes): both notice and show the new row.
        try writeElsewhere("INSERT INTO cached_tasks (id, title, status) VALUES (600, 'Written later', 'active')")
        try breakSharedMemory()
        XCTAssertTrue(watcher.hasChanged(), "a changed file counts as a change")
        XCTAssertFalse(watcher.hasChanged())
        XCTAssertEqual(try store.snapshot(query: TaskQuery(status: .all), now: now, timeZone: utc).tasks.total, 4)

        // A commit still in the -wal cannot be read without the -shm: a clear error, not old rows.
        try? FileManager.default.removeItem(atPath: path + "-shm")
        let writer = try DatabaseQueue(path: path)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "INSERT INTO cached_tasks (id, title, status) VALUES (601, 'Only in the WAL', 'active')")
        }
        let copy = dir.path + "/copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for suffix in ["", "-wal"] { try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + "/cache.db" + suffix) }
        try FileManager.default.createSymbolicLink(atPath: copy + "/cache.db-shm", withDestinationPath: dir.file("nowhere"))
        try writer.close()
        XCTAssertThrowsError(try CacheStore(path: copy + "/cache.db", readOnly: true)) { error in
            XCTAssertEqual(error as? TallyError, .cacheLogUnreadable(copy + "/cache.db", logHasCommits: true))
            XCTAssertTrue(error.userMessage.contains("cache.db-wal"), error.userMessage)
        }
        XCTAssertThrowsError(try ChangeWatcher(path: copy + "/cache.db"))
    }

    /// The real case, where permissions bind (not as root: see FaultTests for that).
    func testAWALCacheInAReadOnlyDirectoryIsShown() throws {
        guard getuid() != 0 else { throw XCTSkip("root may write any directory; FaultTests runs this as nobody") }
        let dir = TempDirectory()
        let folder = dir.path + "/locked"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/cache.db"
        try makeHostileCache(path)
        chmod(folder, 0o500)
        defer { chmod(folder, 0o700) }
        let store = try CacheStore(path: path)
        XCTAssertTrue(store.isReadOnly)
        XCTAssertEqual(try store.snapshot(query: TaskQuery(status: .all), now: now, timeZone: utc).tasks.total, 3)
        XCTAssertTrue(try ChangeWatcher(path: path).hasChanged())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["cache.db"], "nothing created")
    }

    func testBadFilesGiveOneClearError() throws {
        let dir = TempDirectory()
        XCTAssertThrowsError(try CacheStore(path: dir.path + "/missing/dir/cache.db")) { error in
            XCTAssertEqual(error as? TallyError, .cacheDirectoryMissing(dir.path + "/missing/dir"))
        }
        try Data("this is not a database at all, just text\n".utf8).write(to: URL(fileURLWithPath: dir.file("text.db")))
        XCTAssertThrowsError(try CacheStore(path: dir.file("text.db"))) { error in
            XCTAssertEqual(error as? TallyError, .notADatabase(dir.file("text.db")))
        }
        XCTAssertThrowsError(try CacheStore(path: dir.file("absent.db"), readOnly: true)) { error in
            XCTAssertEqual(error as? TallyError, .cacheMissing(dir.file("absent.db")))
        }
        // A directory is not a damaged cache (a repair would move it aside): it is refused as not a file.
        XCTAssertThrowsError(try CacheStore(path: dir.path)) { error in
            XCTAssertEqual(error as? TallyError, .io("\(dir.path) is a directory, not a file; point --cache at a WorkOS cache file."))
        }
    }

    func testDefaultLocationDirectoryIsCreatedPrivately() throws {
        let dir = TempDirectory()
        let path = dir.path + "/.workos-cache/cache.db"
        _ = try CacheStore(path: path, createDirectory: true)
        let mode = (try FileManager.default.attributesOfItem(atPath: dir.path + "/.workos-cache")[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode.map { $0 & 0o777 }, 0o700)
    }

    func testChangeWatcherSeesAnotherConnectionsCommit() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        let store = try CacheStore(path: path)
        let watcher = try ChangeWatcher(path: path)
        XCTAssertTrue(watcher.hasChanged(), "the first look always counts as a change")
        XCTAssertFalse(watcher.hasChanged())
        // Another process's connection, as the WorkOS server would write.
        let other = try DatabaseQueue(path: path)
        try other.write { db in try db.execute(sql: "INSERT INTO cached_tasks (id, title, status, created_at, updated_at) VALUES (500, 'From elsewhere', 'active', 'x', 'x')") }
        XCTAssertTrue(watcher.hasChanged())
        XCTAssertFalse(watcher.hasChanged())
        try store.writeNow { db in try db.execute(sql: "UPDATE cached_tasks SET title = 'Renamed' WHERE id = 500") }
        XCTAssertTrue(watcher.hasChanged(), "this process's own pool is another connection too")
    }

    func testHitAndMissCountersPerNamespaceAndHour() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.writeNow { db in
            try CacheStats.record(db, [.tasks: HitRate(hits: 3, misses: 1), .goals: HitRate(hits: 1)], at: now)
            try CacheStats.record(db, [.tasks: HitRate(hits: 1)], at: now)
            try CacheStats.record(db, [.tasks: HitRate(misses: 4)], at: now.addingTimeInterval(-5 * 3600))
            try CacheStats.record(db, [.tasks: HitRate(misses: 100)], at: now.addingTimeInterval(-30 * 3600))
        }
        let summary = try store.read { db in try CacheStats.summary(db, now: now) }
        XCTAssertEqual(summary.lastHour[.tasks], HitRate(hits: 4, misses: 1))
        XCTAssertEqual(summary.lastDay[.tasks], HitRate(hits: 4, misses: 5))
        XCTAssertEqual(summary.overallHour, HitRate(hits: 5, misses: 1))
        XCTAssertEqual(summary.hourly.count, 24)
        XCTAssertEqual(summary.hourly[23] ?? 0, 5.0 / 6.0, accuracy: 1e-9)
        XCTAssertEqual(summary.hourly[18], 0)
        XCTAssertNil(summary.hourly[0])
    }
}
