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
        XCTAssertEqual(applied, [TallyMigrations.latest])
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
        XCTAssertThrowsError(try flagged.write { db in try db.execute(sql: "DELETE FROM cached_tasks") })
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
        XCTAssertThrowsError(try CacheStore(path: dir.path)) { error in
            XCTAssertEqual(error as? TallyError, .notADatabase(dir.path))
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
        try other.write { db in try db.execute(sql: "INSERT INTO cached_tasks (id, title, status) VALUES (500, 'From elsewhere', 'active')") }
        XCTAssertTrue(watcher.hasChanged())
        XCTAssertFalse(watcher.hasChanged())
        try store.write { db in try db.execute(sql: "UPDATE cached_tasks SET title = 'Renamed' WHERE id = 500") }
        XCTAssertTrue(watcher.hasChanged(), "this process's own pool is another connection too")
    }

    func testHitAndMissCountersPerNamespaceAndHour() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        try store.write { db in
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
