import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// WorkOS's other tables copied into Tally's own by the job (`SyncEngine+Life`), from a real
/// SQLite primary: their windows, nothing written when nothing changed, changes and deletions
/// carried, the loads following the cached tasks, and a primary without a table.
final class LifeSyncTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!

    override func setUp() async throws {
        let files = try DemoFiles(tasks: 600, days: 60)
        (dir, primary, cache) = (files.dir, files.primary, files.cache)
    }

    func engine(scope: SyncScope = .workos) -> SyncEngine {
        var options = SyncOptions()
        options.scope = scope
        options.baseDelay = 0.01
        return SyncEngine(cache: cache, primary: primary, options: options)
    }

    func cached<T: DatabaseValueConvertible>(_ sql: String) throws -> [T] {
        try cache.read { db in try T.fetchAll(db, sql: sql) }
    }

    func primaryValues<T: DatabaseValueConvertible & Sendable>(_ sql: String) throws -> [T] {
        try primary.read { db in try T.fetchAll(db, sql: sql) }
    }

    func status(_ table: LifeTable) throws -> LifeStatus {
        try cache.read { db in try LifeStore.status(table, db) }
    }

    func testAJobCopiesEveryTableInItsWindow() async throws {
        let summary = try await engine().run(kind: .warmup)
        XCTAssertTrue(summary.succeeded)
        for table in LifeTable.all {
            guard case .present = try status(table) else { return XCTFail("\(table.name): \(try status(table))") }
        }
        let cutoff = Timestamp.format(Date().addingTimeInterval(-90 * 86400))
        XCTAssertEqual(try cached("SELECT id FROM tally_energy_states ORDER BY id") as [Int64],
                       try primaryValues("SELECT id FROM energy_states WHERE recorded_at >= '\(cutoff)' ORDER BY id"))
        XCTAssertFalse((try cached("SELECT id FROM tally_energy_states") as [Int64]).isEmpty)
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_client_memory") as [Int],
                       try primaryValues("SELECT count(*) FROM client_memory"))
        // Brain dumps: every unprocessed one, and the rest of the last 30 days.
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_brain_dumps") as [Int], try primaryValues("SELECT count(*) FROM brain_dump"))
        // Personal tasks are not in the contract scope's cache, so Tally keeps them: open or done lately.
        XCTAssertEqual(try cached("SELECT count(*) FROM cached_tasks WHERE category = 'personal'") as [Int], [0])
        let doneSince = Timestamp.format(Date().addingTimeInterval(-90 * 86400))
        XCTAssertEqual(try cached("SELECT id FROM tally_personal_tasks ORDER BY id") as [Int64], try primaryValues("""
            SELECT id FROM tasks WHERE category = 'personal'
              AND (status != 'done' OR completed_at IS NULL OR completed_at >= '\(doneSince)') ORDER BY id
            """))
        // The cognitive load of every cached task that has one, and the personal tasks' with them.
        XCTAssertEqual(try cached("SELECT id || ':' || cognitive_load FROM tally_task_loads ORDER BY id") as [String], try primaryValues("""
            SELECT id || ':' || cognitive_load FROM tasks WHERE cognitive_load IS NOT NULL
              AND id IN (\((try cached("SELECT id FROM cached_tasks") as [Int64]).map(String.init).joined(separator: ","))) ORDER BY id
            """))
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_habit_details WHERE time_of_day IS NOT NULL") as [Int],
                       try primaryValues("SELECT count(*) FROM habits"))
        let completions: [Int] = try cached("SELECT count(*) FROM tally_habit_completions")
        XCTAssertEqual(completions, try primaryValues("SELECT count(*) FROM habit_completions"))
    }

    /// A warm-up from a primary whose tasks have WorkOS's `cognitive_load` reads each load with
    /// its task; a full read of the loads on their own (a warm-up resumed half-way, or a primary
    /// that cannot) reads them in slices (a million at once held them all twice). Either way every
    /// cached task's load arrives, the mark is written once, the two marks agree (one is found by
    /// SQLite over the whole table, the other from the tasks read into memory), and the next sync
    /// finds nothing new.
    func testAWarmUpReadsTheLoadsWithTheTasksOrInSlices() async throws {
        var options = SyncOptions()
        options.scope = .everything
        options.loadSlice = 70  // 600 tasks: eight slices and a last one of 40
        let sliced = SyncEngine(cache: cache, primary: primary, options: options)
        let readsLoads = await primary.readsLoadsWithTasks()
        XCTAssertTrue(readsLoads)
        let summary = try await sliced.run(kind: .warmup)
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(try cached("SELECT count(*) FROM cached_tasks") as [Int], [600])
        let expected: [String] = try primaryValues("SELECT id || ':' || cognitive_load FROM tasks WHERE cognitive_load IS NOT NULL ORDER BY id")
        XCTAssertEqual(try cached("SELECT id || ':' || cognitive_load FROM tally_task_loads ORDER BY id") as [String], expected)
        XCTAssertEqual((try cached("SELECT count(*) FROM tally_task_loads") as [Int]).first ?? 0, (1...600).filter { $0 % 7 != 3 }.count,
                       "one task in seven has none")
        let markSQL = "SELECT mark FROM tally_life_sync WHERE name = 'tasks.cognitive_load' AND mark IS NOT NULL"
        let withTasks: [String] = try cached(markSQL)
        XCTAssertEqual(withTasks.count, 1, "the warm-up wrote the loads' mark")

        try await cache.write { db in try db.execute(sql: "DELETE FROM tally_task_loads") }
        let written = try await sliced.syncLife(full: true)
        XCTAssertGreaterThan(written, 0)
        XCTAssertEqual(try cached("SELECT id || ':' || cognitive_load FROM tally_task_loads ORDER BY id") as [String], expected)
        XCTAssertEqual(try cached(markSQL) as [String], withTasks, "the same mark, read in slices")

        let watcher = try ChangeWatcher(path: cache.path)
        let before = try watcher.mark()
        let again = try await sliced.syncLife()
        XCTAssertEqual(again, 0)
        XCTAssertEqual(try watcher.mark(), before, "nothing new after the slices")
    }

    func testASyncThatFindsNothingNewWritesNothingAndChangesArrive() async throws {
        try await engine().run(kind: .warmup)
        let watcher = try ChangeWatcher(path: cache.path)
        let before = try watcher.mark()
        let unchanged = try await engine().syncLife()
        XCTAssertEqual(unchanged, 0)
        XCTAssertEqual(try watcher.mark(), before, "no commit when nothing is new")

        let oldest: [Int64] = try cached("SELECT min(id) FROM tally_brain_dumps")
        let task: [Int64] = try cached("SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1")
        try primary.write { db in
            try db.execute(sql: """
                INSERT INTO energy_states (level, source, note, recorded_at) VALUES ('low', 'manual', 'After the flight', ?)
                """, arguments: [Timestamp.format(Date())])
            try db.execute(sql: "INSERT INTO energy_states (level, note, recorded_at) VALUES ('high', 'Too old', ?)",
                           arguments: [Timestamp.format(Date().addingTimeInterval(-100 * 86400))])
            try db.execute(sql: "DELETE FROM brain_dump WHERE id = ?", arguments: [oldest.first])
            try db.execute(sql: "UPDATE client_memory SET risk_level = 'critical' WHERE id = (SELECT min(id) FROM client_memory)")
            try db.execute(sql: "UPDATE tasks SET cognitive_load = 'low' WHERE id = ?", arguments: [task.first])
        }
        // The task's change reaches the cache with the tasks namespace; its load follows.
        let summary = try await engine().run(kind: .manual)
        XCTAssertTrue(summary.succeeded)
        XCTAssertNotEqual(try watcher.mark(), before)
        XCTAssertEqual(try cached("SELECT note FROM tally_energy_states ORDER BY recorded_at DESC LIMIT 1") as [String], ["After the flight"])
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_energy_states WHERE note = 'Too old'") as [Int], [0],
                       "a reading older than 90 days is not kept")
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_brain_dumps WHERE id = \(oldest.first ?? 0)") as [Int], [0])
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_client_memory WHERE risk_level = 'critical'") as [Int], [1])
        XCTAssertEqual(try cached("SELECT cognitive_load FROM tally_task_loads WHERE id = \(task.first ?? 0)") as [String], ["low"])
        let newest = try cache.readNow { db in try LifeStore.newestEnergy(db) }
        XCTAssertEqual(newest?.level, "low")
    }

    func testAPrimaryWithoutATableHasItMissingAndTheRestSynced() async throws {
        try await engine().run(kind: .warmup)
        try primary.write { db in try db.execute(sql: "DROP TABLE energy_states") }
        let summary = try await engine().run(kind: .manual)
        XCTAssertTrue(summary.succeeded, "the job does not fail for it")
        XCTAssertEqual(try status(.energyStates), .missing(primary: primary.displayName))
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_energy_states") as [Int], [0])
        guard case .present = try status(.brainDump) else { return XCTFail("brain dumps: \(try status(.brainDump))") }
        XCTAssertNil(try cache.readNow { db in try LifeStore.newestEnergy(db) })
        // Found missing again: nothing to write.
        let watcher = try ChangeWatcher(path: cache.path)
        let before = try watcher.mark()
        try await engine().syncLife()
        XCTAssertEqual(try watcher.mark(), before)
    }

    func testAScopeThatKeepsPersonalTasksLeavesTallysCopyEmpty() async throws {
        try await engine(scope: .everything).run(kind: .warmup)
        XCTAssertEqual(try cached("SELECT count(*) FROM tally_personal_tasks") as [Int], [0])
        XCTAssertGreaterThan((try cached("SELECT count(*) FROM cached_tasks WHERE category = 'personal'") as [Int]).first ?? 0, 0)
        // Read from either place, the personal tasks are the same.
        let listed = try cache.readNow { db in try LifeStore.personalTasks(status: nil, limit: nil, db) }
        XCTAssertEqual(listed.count, (try primaryValues("SELECT count(*) FROM tasks WHERE category = 'personal'") as [Int]).first)
        XCTAssertTrue(listed.contains { $0.1 != nil }, "with their loads")
    }

    func testTheEnergyRankingPutsTheBestMatchFirstAcrossCategories() async throws {
        try await engine().run(kind: .warmup)
        let ranked = try cache.readNow { db in try LifeStore.rankedTasks(for: .low, limit: nil, db) }
        let open: [Int] = try cached("""
            SELECT (SELECT count(*) FROM cached_tasks WHERE status IN ('active', 'queued', 'backlog'))
                 + (SELECT count(*) FROM tally_personal_tasks WHERE status IN ('active', 'queued', 'backlog'))
            """)
        XCTAssertEqual(ranked.count, open.first)
        XCTAssertEqual(ranked.map(\.score), ranked.map(\.score).sorted(by: >))
        XCTAssertTrue(ranked.contains { $0.task.category == "personal" })
        for entry in ranked.prefix(20) {
            XCTAssertEqual(entry.score, EnergyMatch(.low).score(EnergyMatch.Task(entry.task, cognitiveLoad: entry.cognitiveLoad)).score)
        }
        let top = try cache.readNow { db in try LifeStore.rankedTasks(for: .low, limit: 5, db) }
        XCTAssertEqual(top.map(\.task.id), ranked.prefix(5).map(\.task.id))
    }
}
