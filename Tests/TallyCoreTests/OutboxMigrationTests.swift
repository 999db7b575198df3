import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// A cache whose outbox holds writes queued by Tally before writes had kinds (migration
/// tally-v5): every entry survives the migration and is replayed exactly once.
final class OutboxMigrationTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    let now = Date()

    /// JSON as the earlier `JSONEncoder` wrote the outbox's payloads.
    func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A value of one of the types the payloads still share (tasks, changes, requests), as JSON.
    func encoded<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
    }

    /// What the earlier Tally left: a cache migrated to tally-v4 holding the primary's tasks and
    /// habits, and five writes queued in the outbox as it wrote them.
    struct Left {
        var path: String
        var completed: Int64
        var deleted: Int64
        var habit: Int64
    }

    func leaveAnOldCache() throws -> Left {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        let now = self.now
        try primary.write { db in try DemoData.make(taskCount: 40, days: 5, now: now).insert(into: db) }
        let path = dir.file("cache.db")
        let old = try DatabaseQueue(path: path)
        try old.inDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try WorkOSSchema.create(db)
            try WorkOSSchema.createTallyIndexes(db)
        }
        try TallyMigrations.migrator.migrate(old, upTo: "tally-v4")
        let tasks = try primary.read { db in try WorkTask.fetchAll(db, sql: "SELECT * FROM tasks") }
        let habits = try primary.read { db in try Habit.fetchAll(db, sql: "SELECT * FROM habits") }
        try old.inDatabase { db in
            for task in tasks { try task.insert(db) }
            for habit in habits { try habit.insert(db) }
        }
        let active = tasks.filter { $0.status == "active" }.map(\.id).sorted()
        let completed = try XCTUnwrap(active.first), deleted = try XCTUnwrap(active.last)
        let today = LocalDay(now).description
        let habit = try XCTUnwrap(habits.filter { $0.isActive != false }.map(\.id).sorted().first { id in
            (try? primary.read { db in
                try String.fetchOne(db, sql: "SELECT last_completed_date FROM habits WHERE id = ?", arguments: [id])
            }) != today
        })
        let task = try XCTUnwrap(tasks.first { $0.id == completed })
        let gone = try XCTUnwrap(tasks.first { $0.id == deleted })
        let at = Timestamp.format(now)
        var offline = TaskPlan.newTask(id: -1, title: "Written on the train", sortOrder: 0, at: at)
        offline.sortOrder = nil
        let rename = TaskChange(taskID: -1, before: ["title": .text("Written on the train")],
                                after: ["title": .text("Written on the train, edited")], updatedAt: at)
        let request = HabitCheckInRequest(habitID: habit, note: "before the upgrade", key: "k-habit", now: now, timeZone: .current)
        let entries: [(op: String, taskID: Int64, payload: String)] = [
            ("complete", completed, try json([
                "key": "k-complete", "points": 3, "completedAt": at, "day": today, "explicitPoints": true,
                "previous": try encoded(PriorTask(task)),
            ])),
            ("add", -1, try json(["key": "k-add", "kind": "add", "task": try encoded(offline), "keepID": false, "changes": [],
                                  "localID": -1])),
            ("edit", -1, try json(["key": "k-edit", "kind": "edit", "keepID": false, "changes": [try encoded(rename)]])),
            ("delete", deleted, try json(["key": "k-delete", "kind": "delete", "task": try encoded(gone), "keepID": false,
                                          "changes": []])),
            ("habit_checkin", habit, try json(["key": "k-habit", "request": try encoded(request)])),
        ]
        try old.inDatabase { db in
            for entry in entries {
                try db.execute(sql: """
                    INSERT INTO tally_outbox (op, task_id, payload, created_at, attempts, last_error)
                    VALUES (?, ?, ?, ?, 1, 'Cannot reach the primary')
                    """, arguments: [entry.op, entry.taskID, entry.payload, at])
            }
        }
        try old.close()
        return Left(path: path, completed: completed, deleted: deleted, habit: habit)
    }

    func primaryState(_ left: Left) throws -> [String?] {
        try primary.read { db in
            [try String.fetchOne(db, sql: "SELECT status || '/' || points_final FROM tasks WHERE id = ?", arguments: [left.completed]),
             try String.fetchOne(db, sql: "SELECT count(*) FROM tasks WHERE title LIKE 'Written on the train%'"),
             try String.fetchOne(db, sql: "SELECT title FROM tasks WHERE title LIKE 'Written on the train%'"),
             try String.fetchOne(db, sql: "SELECT count(*) FROM tasks WHERE id = ?", arguments: [left.deleted]),
             try String.fetchOne(db, sql: "SELECT count(*) FROM habit_completions WHERE habit_id = ? AND note = 'before the upgrade'",
                                 arguments: [left.habit])]
        }
    }

    func testQueuedWritesFromBeforeTheMigrationAreKeptAndReplayedOnce() async throws {
        let left = try leaveAnOldCache()
        let (path, completed, deleted, habit) = (left.path, left.completed, left.deleted, left.habit)
        var config = Config()
        config.cachePath = path

        // This Tally opens it: the migration files every entry under its kind, entity and key.
        let cache = try CacheStore(path: path)
        let migrated = try cache.readNow { db in try OutboxStore.pending(db) }
        XCTAssertEqual(migrated.map(\.kind), ["task.complete", "task.add", "task.edit", "task.delete", "habit.checkin"])
        XCTAssertEqual(migrated.map(\.entity), ["task", "task", "task", "task", "habit"])
        XCTAssertEqual(migrated.map(\.entityID), [completed, -1, -1, deleted, habit])
        XCTAssertEqual(migrated.map(\.key), ["k-complete", "k-add", "k-edit", "k-delete", "k-habit"])
        for entry in migrated { XCTAssertNoThrow(try WriteKinds.decode(entry), entry.kind) }

        let workspace = Workspace(config: config, cache: cache, primary: primary)
        let writes = WritePipeline(workspace: workspace)
        let applied = await writes.replayOutbox()
        XCTAssertEqual(applied, 5, "no queued write was lost")
        XCTAssertEqual(try primaryState(left), ["done/3", "1", "Written on the train, edited", "0", "1"],
                       "the offline add, with the edit queued behind it under its local id; each once")

        // Replayed again, as after a crash before the cache was marked: nothing lands twice.
        try cache.writeNow { db in try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL") }
        _ = await writes.replayOutbox()
        XCTAssertEqual(try primaryState(left), ["done/3", "1", "Written on the train, edited", "0", "1"])
        XCTAssertEqual(try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks WHERE id < 0") }, 0)
    }
}
