import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// Checking habits in with write-through against a real SQLite primary, with the primary taken
/// away and brought back.
final class HabitWritesTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var flaky: FlakyPrimary!
    var workspace: Workspace!
    var writer: WritePipeline!
    let utc = TimeZone(identifier: "UTC")!
    let now = Date()

    override func setUp() async throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        let yesterday = LocalDay(now, in: utc).adding(days: -1).description
        let stamp = Timestamp.format(now.addingTimeInterval(-86400))
        try primary.write { db in
            try db.execute(sql: """
                INSERT INTO habits (id, name, emoji, frequency, current_streak, longest_streak, is_active, sort_order,
                                    created_at, updated_at, last_completed_date) VALUES
                  (1, 'Morning walk', '🚶', 'daily', 4, 9, 1, 1, ?, ?, ?),
                  (2, 'Read', '📚', 'daily', 0, 3, 1, 2, ?, ?, NULL),
                  (3, 'Read aloud', NULL, 'weekly', 0, 0, 1, 3, ?, ?, NULL),
                  (4, 'Meditate', NULL, 'daily', 0, 9, 0, 4, ?, ?, NULL);
                INSERT INTO habit_completions (habit_id, completed_at, note) VALUES (1, ?, 'yesterday');
                """, arguments: [stamp, stamp, yesterday, stamp, stamp, stamp, stamp, stamp, stamp, stamp])
        }
        flaky = FlakyPrimary(primary)
        var config = Config()
        config.cachePath = dir.file("cache.db")
        let cache = try CacheStore(path: config.cachePath)
        workspace = Workspace(config: config, cache: cache, primary: flaky)
        try await sync()
        writer = pipeline(at: now)
    }

    func sync() async throws {
        var options = SyncOptions()
        options.scope = .everything
        let summary = try await SyncEngine(cache: workspace.cache, primary: primary, options: options).run(kind: .full, full: true)
        XCTAssertTrue(summary.succeeded)
    }

    func primaryHabit(_ id: Int64) throws -> Habit? {
        try primary.read { db in try Habit.fetchOne(db, sql: "SELECT * FROM habits WHERE id = ?", arguments: [id]) }
    }

    func primaryCompletions(_ id: Int64) throws -> Int {
        try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM habit_completions WHERE habit_id = ?", arguments: [id]) } ?? 0
    }

    func status(_ id: Int64) throws -> HabitStatus? {
        try workspace.cache.read { db in try HabitStatus.read(db, includeInactive: true, now: now, timeZone: utc) }
            .first { $0.habit.id == id }
    }

    /// A pipeline whose clock stands at `time`, counting days in `zone`.
    func pipeline(at time: Date, zone: TimeZone? = nil) -> WritePipeline {
        WritePipeline(workspace: workspace, clock: TestClock(now: time), timeZone: zone ?? utc)
    }

    /// Checks `habitID` in at `time`: nil when it was done that day already.
    func checkIn(_ habitID: Int64, note: String? = nil, at time: Date? = nil, zone: TimeZone? = nil) async throws -> WriteReceipt<CheckInHabit>? {
        do {
            return try await pipeline(at: time ?? now, zone: zone).checkIn(habitID, note: note)
        } catch is HabitAlreadyDone {
            return nil
        }
    }

    var today: String { LocalDay(now, in: utc).description }

    func testACheckInWritesTheCompletionAndTheStreakThroughToTheCache() async throws {
        XCTAssertEqual(try status(1)?.days.count, 1, "yesterday's, from the primary's completions")
        XCTAssertEqual(try status(1)?.doneToday, false)

        let receipt = try await writer.checkIn(1, note: " Along the river ")
        XCTAssertEqual(receipt.state, .applied)
        let habit = receipt.result.habit
        XCTAssertEqual(habit.currentStreak, 5)
        XCTAssertEqual(habit.lastCompletedDate, today)
        let stored = try XCTUnwrap(primaryHabit(1))
        XCTAssertEqual(HabitStreak(stored), HabitStreak(currentStreak: 5, longestStreak: 9, lastCompletedDate: today))
        XCTAssertEqual(stored.updatedAt, Timestamp.format(now))
        XCTAssertEqual(try primaryCompletions(1), 2)
        XCTAssertEqual(try primary.read { db in try String.fetchOne(db, sql: "SELECT note FROM habit_completions ORDER BY id DESC LIMIT 1") },
                       "Along the river")
        let cached = try XCTUnwrap(status(1))
        XCTAssertTrue(cached.doneToday)
        XCTAssertEqual(cached.habit.currentStreak, 5)
        XCTAssertEqual(cached.lastCompletedDate, today)

        // Once a day: the second says so and writes nothing.
        let again = try await checkIn(1, at: now.addingTimeInterval(60))
        XCTAssertNil(again, "already done today")
        XCTAssertEqual(try primaryCompletions(1), 2)

        // A first check-in starts a streak of 1; the longest follows.
        let first = try await writer.checkIn(3)
        XCTAssertEqual(HabitStreak(first.result.habit), HabitStreak(currentStreak: 1, longestStreak: 1, lastCompletedDate: today))
    }

    func testUndoTakesTheCompletionAndTheStreakBack() async throws {
        _ = try await writer.checkIn(1)
        let undone = try await writer.undo()
        XCTAssertEqual(undone, ["↶ undone: “Morning walk”"])
        let stored = try XCTUnwrap(primaryHabit(1))
        XCTAssertEqual(HabitStreak(stored), HabitStreak(currentStreak: 4, longestStreak: 9,
                                                        lastCompletedDate: LocalDay(now, in: utc).adding(days: -1).description))
        XCTAssertEqual(try primaryCompletions(1), 1)
        XCTAssertEqual(try status(1)?.doneToday, false)
        XCTAssertEqual(try status(1)?.habit.currentStreak, 4)
        // Twice is refused.
        do {
            _ = try await writer.undo()
            XCTFail("undone twice")
        } catch {
            XCTAssertEqual(error as? WritePipeline.UndoRefusal, .nothing)
        }
    }

    func testOfflineCheckInsShowAtOnceAndReplayExactlyOnce() async throws {
        flaky.isDown = true
        let queued = try await writer.checkIn(1, note: "offline")
        XCTAssertTrue(queued.isQueued)
        XCTAssertEqual(queued.result.habit.currentStreak, 5, "yesterday's check-in, known from the cache, continues the streak")
        XCTAssertEqual(try status(1)?.doneToday, true)
        XCTAssertEqual(try primaryCompletions(1), 1)
        let queued134 = try await writer.checkIn(2)
        XCTAssertTrue(queued134.isQueued)
        // Still done today while queued: the second says so.
        let twice = try await checkIn(1)
        XCTAssertNil(twice, "twice")

        flaky.isDown = false
        let service = writer!
        let applied = await service.replayOutbox()
        XCTAssertEqual(applied, 2)
        XCTAssertEqual(try primaryCompletions(1), 2)
        XCTAssertEqual(try primaryCompletions(2), 1)
        XCTAssertEqual(HabitStreak(try XCTUnwrap(primaryHabit(1))), HabitStreak(currentStreak: 5, longestStreak: 9, lastCompletedDate: today))

        // Replayed again (as after a crash before the cache write): the primary finds the day done.
        try workspace.cache.writeNow { db in try db.execute(sql: "UPDATE tally_outbox SET applied_at = NULL") }
        let again = await service.replayOutbox()
        XCTAssertEqual(again, 2)
        XCTAssertEqual(try primaryCompletions(1), 2)
        XCTAssertEqual(try primaryCompletions(2), 1)
        XCTAssertEqual(try primaryHabit(1)?.currentStreak, 5)
        XCTAssertEqual(try workspace.cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_habit_checkins WHERE pending = 1") }, 0)

        // A sync keeps it done.
        try await sync()
        XCTAssertEqual(try status(1)?.doneToday, true)
        XCTAssertEqual(try status(1)?.habit.currentStreak, 5)
    }

    func testAQueuedCheckInUndoneNeverReachesThePrimary() async throws {
        flaky.isDown = true
        _ = try await writer.checkIn(1)
        _ = try await writer.undo()
        XCTAssertEqual(try status(1)?.habit.currentStreak, 4)
        XCTAssertEqual(try status(1)?.doneToday, false)
        flaky.isDown = false
        let applied = await writer.replayOutbox()
        XCTAssertEqual(applied, 0)
        XCTAssertEqual(try primaryCompletions(1), 1)
    }

    func testACheckInMadeElsewhereShowsAfterASyncAndIsNotWrittenTwice() async throws {
        let minuteAgo = Timestamp.format(now.addingTimeInterval(-60))
        try primary.write { db in
            try db.execute(sql: "INSERT INTO habit_completions (habit_id, completed_at, note) VALUES (2, ?, 'web')",
                           arguments: [minuteAgo])
        }
        XCTAssertEqual(try status(2)?.doneToday, false)
        // Before the sync, the primary says it is done: nothing written, the cache learns it.
        let receipt = try await writer.checkIn(2)
        XCTAssertEqual(receipt.state, .unchanged, "the primary says it is done")
        XCTAssertEqual(try primaryCompletions(2), 1)
        XCTAssertEqual(try status(2)?.doneToday, true)
        try await sync()
        XCTAssertEqual(try status(2)?.doneToday, true)
    }

    /// New York's 25-hour 1 November 2026: a check-in at 00:30 EDT and another at 23:30 EST are
    /// the same day (the second is refused); 00:30 EST on the 2nd continues the streak.
    func testTheDaylightSavingDayIsOneDayForCheckIns() async throws {
        let newYork = try XCTUnwrap(TimeZone(identifier: "America/New_York"))
        try primary.write { db in
            try db.execute(sql: "UPDATE habits SET current_streak = 2, longest_streak = 2, last_completed_date = '2026-10-31' WHERE id = 2")
        }
        try await sync()
        let early = try XCTUnwrap(Timestamp.parse("2026-11-01T04:30:00.000Z"))  // 00:30 EDT
        let late = try XCTUnwrap(Timestamp.parse("2026-11-02T04:30:00.000Z"))   // 23:30 EST, the same day
        let next = try XCTUnwrap(Timestamp.parse("2026-11-02T05:30:00.000Z"))   // 00:30 EST on the 2nd
        let firstMade = try await checkIn(2, at: early, zone: newYork)
        let first = try XCTUnwrap(firstMade)
        XCTAssertEqual(HabitStreak(first.result.habit), HabitStreak(currentStreak: 3, longestStreak: 3, lastCompletedDate: "2026-11-01"))
        let late1st = try await checkIn(2, at: late, zone: newYork)
        XCTAssertNil(late1st, "23:30 EST is still the 1st")
        // The primary says so too, by the day's bounds, whatever the cache knows.
        let request = HabitCheckInRequest(habitID: 2, note: nil, key: "k", now: late, timeZone: newYork)
        let direct = try await primary.transaction { tx in try await CheckInHabit(key: "k", request: request).apply(to: tx) }
        XCTAssertFalse(direct.1.wrote)
        let secondMade = try await checkIn(2, at: next, zone: newYork)
        let second = try XCTUnwrap(secondMade)
        XCTAssertEqual(HabitStreak(second.result.habit), HabitStreak(currentStreak: 4, longestStreak: 4, lastCompletedDate: "2026-11-02"))
        XCTAssertEqual(try primaryCompletions(2), 2)
    }

    func testHabitsAreNamedByIdOrNameAndBadOnesAreRefused() throws {
        let habits = try workspace.cache.read { db in try CacheRows.habits(db) }
        func resolve(_ text: String) throws -> Habit { try HabitStatus.resolve(text, among: habits) }
        XCTAssertEqual(try resolve("1").name, "Morning walk")
        XCTAssertEqual(try resolve("morning WALK").id, 1)
        XCTAssertEqual(try resolve("walk").id, 1, "the one name that contains it")
        XCTAssertEqual(try resolve("read").id, 2, "a whole name before a part of one")
        for (text, words) in [("99", "no habit"), ("swim", "no habit"), ("rea", "matches 2 habits"), ("Meditate", "inactive"), ("4", "inactive")] {
            XCTAssertThrowsError(try resolve(text), text) { error in
                XCTAssertTrue(error.userMessage.contains(words), "\(text): \(error.userMessage)")
                XCTAssertFalse(error.userMessage.contains("\n"))
            }
        }
    }

    func testAnInactiveOrUnknownHabitIsNotCheckedIn() async throws {
        for id: Int64 in [4, 99] {
            do {
                _ = try await writer.checkIn(id)
                XCTFail("habit \(id) was checked in")
            } catch {
                XCTAssertFalse(error.userMessage.isEmpty)
            }
        }
        XCTAssertEqual(try primaryCompletions(4), 0)
    }
}

/// The JSON `tally habits --json`, `tally habit done --json` and `tally mcp` answer with: WorkOS's
/// `life_get_habits` rows and `life_complete_habit` result.
final class HabitJSONTests: XCTestCase {
    func testTheShapesAreWorkOSs() throws {
        var habit = Habit(id: 2, name: "Read", emoji: "📚", frequency: "daily", currentStreak: 6, longestStreak: 14,
                          isActive: true, sortOrder: 2, createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-11-26T12:00:00.000Z")
        habit.lastCompletedDate = "2026-11-26"
        let before = HabitStreak(currentStreak: 5, longestStreak: 14, lastCompletedDate: "2026-11-25")
        let request = HabitCheckInRequest(habitID: 2, note: "Chapter 4", key: "k", now: Timestamp.parse("2026-11-26T12:00:00.000Z") ?? Date(),
                                          timeZone: TimeZone(identifier: "UTC") ?? .current)
        let write = CheckInHabit(key: "k", request: request, before: before, after: HabitStreak(habit))
        let result = CheckInHabit.Result(habit: habit, completion: request.completion, wrote: true)
        let done = HabitJSON.checkIn(WriteReceipt(write: write, result: result, state: .applied), note: "Chapter 4", today: "2026-11-26")
        XCTAssertEqual(done["success"] as? Bool, true)
        let completion = try XCTUnwrap(done["completion"] as? [String: Any])
        XCTAssertEqual(completion["habitId"] as? Int64, 2)
        XCTAssertEqual(completion["completedAt"] as? String, "2026-11-26T12:00:00.000Z")
        XCTAssertEqual(completion["note"] as? String, "Chapter 4")
        let shown = try XCTUnwrap(done["habit"] as? [String: Any])
        XCTAssertEqual(shown["currentStreak"] as? Int, 6)
        XCTAssertEqual(shown["lastCompletedDate"] as? String, "2026-11-26")
        XCTAssertEqual(shown["isActive"] as? Int, 1)
        let info = try XCTUnwrap(done["streakInfo"] as? [String: Any])
        XCTAssertEqual(info["previousStreak"] as? Int, 5)
        XCTAssertEqual(info["newStreak"] as? Int, 6)
        XCTAssertEqual(info["wasConsecutive"] as? Bool, true)
        XCTAssertNil(done["pending"])

        let again = HabitJSON.alreadyDone(habit, today: "2026-11-26")
        XCTAssertEqual(again["success"] as? Bool, false)
        XCTAssertEqual(again["message"] as? String, "Habit already completed today")
        XCTAssertEqual(Set((again["habit"] as? [String: Any])?.keys ?? [:].keys), ["id", "name", "currentStreak", "lastCompletedDate"])

        let queued = HabitJSON.checkIn(WriteReceipt(write: write, result: result, state: .queued(reason: "offline")), note: nil,
                                       today: "2026-11-26")
        XCTAssertEqual(queued["pending"] as? Bool, true)
        XCTAssertEqual(queued["reason"] as? String, "offline")

        let row = HabitJSON.habit(HabitStatus(habit: habit, doneToday: true, days: [], lastCompletedDate: "2026-11-26"))
        XCTAssertEqual(row["completedToday"] as? Bool, true)
        XCTAssertEqual(row["name"] as? String, "Read")
        XCTAssertNotEqual(JSONOutput.string(row), "{}", "serialisable")
        XCTAssertNotEqual(JSONOutput.string(done), "{}", "serialisable")
    }
}
