import Foundation
import GRDB
import GRDBSQLite
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The counts a first frame takes from beside the cache (docs/ARCHITECTURE.md, "Counts kept
/// beside the cache"): used only while no program has committed since they were counted.
final class KeptCountsTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_795_345_200)
    let utc = TimeZone(identifier: "UTC")!

    func cache(in dir: TempDirectory, tasks: Int = 150) throws -> CacheStore {
        let store = try CacheStore(path: dir.file("cache.db"))
        let data = DemoData.make(taskCount: tasks, days: 30, now: now, timeZone: utc)
        try store.writeNow { db in try data.insert(into: db, tablePrefix: "cached_") }
        return store
    }

    /// Rewrites one open count in the kept file, keeping its version: a frame that shows the
    /// planted number read it from the file, one that shows the real number counted.
    func plant(_ count: Int, in store: CacheStore) throws -> (status: String, client: Int64?) {
        let path = KeptCounts.path(for: store.path)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let index = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("open active ") && !$0.hasPrefix("open active - ") })
        let fields = lines[index].split(separator: " ")
        lines[index] = "open active \(fields[2]) \(count)"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return ("active", Int64(fields[2]))
    }

    func open(_ snapshot: Snapshot, client: Int64?) -> Int? {
        snapshot.clients.first { $0.client.id == client }?.openTasks
    }

    func testCountsKeptAreWhatAFrameTakesWhileNothingWasCommitted() throws {
        let dir = TempDirectory()
        let store = try cache(in: dir)
        let counted = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        XCTAssertNil(try store.keptCounts(), "a frame only reads what is kept")
        XCTAssertTrue(try store.keepCounts())
        let kept = try XCTUnwrap(try store.keptCounts())
        XCTAssertEqual(kept.tables, counted.rowCounts)
        XCTAssertEqual(kept.tables[.tasks], 150)

        let (_, client) = try plant(9_999, in: store)
        let fromFile = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        XCTAssertEqual(open(fromFile, client: client), 9_999 + (counted.openCounts.counts["queued"]?[client] ?? 0))
        XCTAssertEqual(fromFile.rowCounts, counted.rowCounts)
    }

    func testACommitByAnotherConnectionMakesTheFrameCountAgain() throws {
        let dir = TempDirectory()
        let store = try cache(in: dir)
        let counted = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        try store.keepCounts()
        let (_, client) = try plant(9_999, in: store)
        let before = try XCTUnwrap(try store.version())

        // Another program's connection, as the WorkOS server writes: one autocommitted insert.
        let other = try DatabaseQueue(path: store.path)
        try other.write { db in
            try db.execute(sql: """
                INSERT INTO cached_tasks (id, title, status, client_id, created_at, updated_at)
                VALUES (900001, 'From elsewhere', 'active', ?, '2026-11-22T08:00:00Z', '2026-11-22T08:00:00Z')
                """, arguments: [client])
        }
        XCTAssertNotEqual(try store.version(), before)
        let recounted = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        XCTAssertEqual(open(recounted, client: client), (open(counted, client: client) ?? 0) + 1)
        XCTAssertEqual(recounted.rowCounts[.tasks], 151)
        // Kept again, the recount is what is kept.
        XCTAssertTrue(try store.keepCounts())
        XCTAssertEqual(try store.keptCounts()?.tables[.tasks], 151)
        try other.close()
    }

    /// With nothing in the log the file is the whole content: a program that writes and closes
    /// (its checkpoint empties the log into the file) still changes the version.
    func testAWriteThatWasCheckpointedAndClosedStillChangesTheVersion() async throws {
        let dir = TempDirectory()
        do {
            let store = try cache(in: dir)
            try await store.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try await store.keepCountsOnceSettled()
            XCTAssertNotNil(try store.keptCounts())
            XCTAssertEqual(try store.version()?.walFrames, 0)
        }
        let settled: CacheVersion
        do {
            let reader = try CacheStore(path: dir.file("cache.db"), readOnly: true)
            settled = try XCTUnwrap(try reader.version())
            XCTAssertNotNil(try reader.keptCounts(), "a read-only process takes what a writer kept")
        }

        // No connection of ours is open: the other program's is the last, and its close
        // empties the log into the file and deletes it.
        let other = try DatabaseQueue(path: dir.file("cache.db"))
        try await other.write { db in try db.execute(sql: "UPDATE cached_tasks SET status = 'done' WHERE status = 'active'") }
        try other.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("cache.db-wal")))

        let reader = try CacheStore(path: dir.file("cache.db"), readOnly: true)
        let now = try XCTUnwrap(try reader.version())
        XCTAssertEqual(now.walFrames, 0)
        XCTAssertNotEqual(now, settled)
        XCTAssertNil(try reader.keptCounts())
        let snapshot = try reader.snapshot(query: TaskQuery(), now: self.now, timeZone: utc)
        XCTAssertEqual(snapshot.openCounts.counts["active"]?.values.reduce(0, +) ?? 0, 0)
    }

    func testAReadOnlyCacheKeepsNothing() throws {
        let dir = TempDirectory()
        _ = try cache(in: dir)
        try? FileManager.default.removeItem(atPath: KeptCounts.path(for: dir.file("cache.db")))
        let reader = try CacheStore(path: dir.file("cache.db"), readOnly: true)
        _ = try reader.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        XCTAssertFalse(try reader.keepCounts())
        XCTAssertFalse(FileManager.default.fileExists(atPath: KeptCounts.path(for: dir.file("cache.db"))))
    }

    func testAVersionReadRightAfterAWriteToTheFileIsNotSettled() {
        let written = CacheVersion.nanoseconds(now)
        var version = CacheVersion(device: 1, inode: 2, size: 4096, modified: written + 123, changeCounter: 1, pages: 1,
                                   walFrames: 0, walSalt1: 0, walSalt2: 0)
        XCTAssertFalse(version.isSettled(readAt: now.addingTimeInterval(0.005)))
        XCTAssertTrue(version.isSettled(readAt: now.addingTimeInterval(0.05)))
        // A file system that keeps whole seconds needs two of them.
        version.modified = written
        XCTAssertFalse(version.isSettled(readAt: now.addingTimeInterval(0.5)))
        XCTAssertTrue(version.isSettled(readAt: now.addingTimeInterval(2.5)))
        // While the log holds frames, a commit adds more: the file's time does not matter.
        version.walFrames = 3
        XCTAssertTrue(version.isSettled(readAt: now))
    }

    func testTheFileReadsBackAndAnythingElseIsNoFile() throws {
        let version = CacheVersion(device: 65024, inode: 77, size: 8192, modified: 1_796_536_784_079_643_267, changeCounter: 3,
                                   pages: 2, walFrames: 12, walSalt1: 4_000_000_000, walSalt2: 5)
        var open = OpenCounts()
        open.counts = ["active": [1: 3, nil: 2], "queued": [7: 1]]
        let kept = KeptCounts(version: version, tables: [.clients: 2, .tasks: 6, .goals: 0, .habits: 1], open: open)
        XCTAssertEqual(KeptCounts(text: kept.text), kept)
        for damaged in ["", "tally kept counts 2\n" + kept.text.split(separator: "\n", maxSplits: 1)[1],
                        kept.text.replacingOccurrences(of: "table tasks 6", with: "table tasks -6"),
                        kept.text.replacingOccurrences(of: "table habits 1\n", with: ""),
                        kept.text.replacingOccurrences(of: "open queued 7 1", with: "open done 7 1"),
                        kept.text.replacingOccurrences(of: "open queued 7 1", with: "open queued x 1"),
                        kept.text.replacingOccurrences(of: "open queued 7 1", with: "open queued 7"),
                        kept.text.replacingOccurrences(of: "table tasks 6", with: "table tasks"),
                        kept.text.replacingOccurrences(of: "table tasks 6", with: "table chores 6"),
                        kept.text + "something else\n"] {
            XCTAssertNil(KeptCounts(text: damaged), damaged)
        }
    }

    func testADemoLeavesCountsItsFirstFrameTakes() async throws {
        let dir = TempDirectory()
        let demo = DemoWorkspace(directory: dir.path)
        try await demo.create(tasks: 300, days: 30, now: now, timeZone: utc)
        let reader = try CacheStore(path: demo.cachePath, readOnly: true)
        let kept = try XCTUnwrap(try reader.keptCounts())
        let tasks = try await reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") }
        XCTAssertEqual(kept.tables[.tasks], tasks)
        let snapshot = try reader.snapshot(query: TaskQuery(), now: now, timeZone: utc)
        XCTAssertEqual(snapshot.openCounts, kept.open)
    }

    /// A key that keeps the list (a new order) takes its size from the last count at the same
    /// version; a commit by anyone makes the next key count again.
    func testAListCountedOnceServesTheNextOrderUntilACommit() async throws {
        let dir = TempDirectory()
        let store = try cache(in: dir, tasks: 400)
        let clients = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc).clients.map(\.client)
        var query = TaskQuery(status: .all)
        let counted = try store.taskPage(query: query, clients: clients, now: now, timeZone: utc)
        XCTAssertEqual(counted.total, 400)
        let version = try XCTUnwrap(try store.version())
        let shape = TaskList.Shape(query)
        let kept = try XCTUnwrap(store.listCounts.counts(of: shape, at: version))
        XCTAssertEqual(kept.values.flatMap(\.values).reduce(0, +), 400)

        // Planted at the same version: a page in another order shows the planted size.
        var planted = kept
        planted["done", default: [:]][nil, default: 0] += 1_000
        store.listCounts.keep(planted, of: shape, at: version)
        query.order = TaskOrder(.points)
        XCTAssertEqual(try store.taskPage(query: query, clients: clients, now: now, timeZone: utc).total, 1_400)

        let other = try DatabaseQueue(path: store.path)
        try await other.write { db in try db.execute(sql: "DELETE FROM cached_tasks WHERE id = (SELECT min(id) FROM cached_tasks)") }
        try other.close()
        XCTAssertEqual(try store.taskPage(query: query, clients: clients, now: now, timeZone: utc).total, 399)
    }

    /// A writable open of a cache with an empty log makes GRDB commit a table in and out of it:
    /// the counts are kept through that commit, so a writable dashboard's first frame takes them.
    func testTheCountsOutliveTheCommitOfAWritableOpen() async throws {
        let dir = TempDirectory()
        let kept: KeptCounts
        do {
            let store = try cache(in: dir)
            try await store.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try await store.keepCountsOnceSettled()
            kept = try XCTUnwrap(try store.keptCounts())
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("cache.db-wal")), "the last close emptied the log")
        let store = try CacheStore(path: dir.file("cache.db"))
        let now = try XCTUnwrap(try store.version())
        XCTAssertGreaterThan(now.walFrames, 0, "opening wrote to the log")
        let moved = try XCTUnwrap(try store.keptCounts(), "the counts were kept through the opening commit")
        XCTAssertEqual(moved.tables, kept.tables)
        XCTAssertEqual(moved.open, kept.open)
        // And the first frame takes them.
        let (_, client) = try plant(9_999, in: store)
        let snapshot = try store.snapshot(query: TaskQuery(), now: self.now, timeZone: utc)
        XCTAssertEqual(open(snapshot, client: client), 9_999 + (kept.open.counts["queued"]?[client] ?? 0))
    }

    func testOnlyTheOpeningCommitItselfMovesTheCounts() {
        let before = CacheVersion(device: 1, inode: 2, size: 8192, modified: 5, changeCounter: 3, pages: 2,
                                  walFrames: 0, walSalt1: 0, walSalt2: 0)
        let commit = OpeningCommit.Commit(logFrames: 4, indexFrames: 4, salt1: 11, salt2: 12)
        var after = before
        (after.walFrames, after.walSalt1, after.walSalt2) = (4, 11, 12)
        XCTAssertTrue(OpeningCommit.isOnlyChange(from: before, to: after, commits: [commit]))
        // Another program's frames in the log before ours, or after it.
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: before, to: after,
                                                  commits: [OpeningCommit.Commit(logFrames: 6, indexFrames: 4, salt1: 11, salt2: 12)]))
        var more = after
        more.walFrames = 6
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: before, to: more, commits: [commit]))
        // A log started anew, the file written by a checkpoint, a log that was not empty, two commits.
        var salted = after
        salted.walSalt2 = 99
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: before, to: salted, commits: [commit]))
        var written = after
        written.modified = 6
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: before, to: written, commits: [commit]))
        var busy = before
        busy.walFrames = 2
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: busy, to: after, commits: [commit]))
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: before, to: after, commits: [commit, commit]))
        XCTAssertFalse(OpeningCommit.isOnlyChange(from: before, to: after, commits: []))
    }

    /// What a quitting dashboard does: the next writable process finds the counts.
    func testCountsKeptForTheNextStartReachItsFirstFrame() async throws {
        let dir = TempDirectory()
        let counted: Snapshot
        do {
            let store = try cache(in: dir)
            counted = try store.snapshot(query: TaskQuery(), now: now, timeZone: utc)
            await store.keepCountsForNextStart()
            XCTAssertEqual(try store.version()?.walFrames, 0, "the log was emptied")
            XCTAssertNotNil(try store.keptCounts())
        }
        let next = try CacheStore(path: dir.file("cache.db"))
        let kept = try XCTUnwrap(try next.keptCounts())
        XCTAssertEqual(kept.tables, counted.rowCounts)
        XCTAssertEqual(kept.open, counted.openCounts)
    }

    /// Someone else reading the cache right then: the log cannot be emptied, and nothing waits.
    func testAQuitBesideAnotherReaderGivesUpAtOnce() async throws {
        let dir = TempDirectory()
        let store = try cache(in: dir)
        // Another program's connection in the middle of a read (SQLite's C interface: GRDB
        // closes every transaction at the end of an access).
        var other: OpaquePointer?
        XCTAssertEqual(sqlite3_open_v2(store.path, &other, SQLITE_OPEN_READWRITE, nil), SQLITE_OK)
        XCTAssertEqual(sqlite3_exec(other, "BEGIN; SELECT count(*) FROM cached_tasks;", nil, nil, nil), SQLITE_OK)
        // A commit after the reader's view began: a TRUNCATE checkpoint cannot reset the log.
        try store.writeNow { db in try db.execute(sql: "UPDATE cached_tasks SET title = title || '.' WHERE id = (SELECT min(id) FROM cached_tasks)") }
        XCTAssertFalse(store.emptyLogNow())
        XCTAssertEqual(sqlite3_exec(other, "COMMIT", nil, nil, nil), SQLITE_OK)
        sqlite3_close(other)
        XCTAssertTrue(store.emptyLogNow())
    }
}
