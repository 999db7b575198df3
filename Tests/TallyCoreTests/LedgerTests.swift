import TallyCore
import XCTest

final class LedgerTests: XCTestCase {
    /// Goal rows from (date, earned) pairs with the default target.
    func goals(_ days: [(String, Int)], target: Int = 18) -> [DailyGoal] {
        days.enumerated().map { DailyGoal(id: Int64($0.offset + 1), date: $0.element.0, targetPoints: target, earnedPoints: $0.element.1) }
    }

    let sunday = LocalDay(year: 2026, month: 11, day: 22)

    func testStreakCountsThroughYesterdayWhileTodayIsOpen() {
        let history = goals([("2026-11-19", 20), ("2026-11-20", 18), ("2026-11-21", 25), ("2026-11-22", 5)])
        let figures = Ledger.figures(goals: history, today: sunday)
        XCTAssertEqual(figures.currentStreak, 3)
        XCTAssertEqual(figures.earned, 5)
        XCTAssertEqual(figures.dailyDebt, 13)
        XCTAssertFalse(figures.isHit)
        XCTAssertEqual(figures.lastGoalHit?.description, "2026-11-21")
    }

    func testHittingTodayExtendsTheStreak() {
        let history = goals([("2026-11-20", 18), ("2026-11-21", 25), ("2026-11-22", 18)])
        let figures = Ledger.figures(goals: history, today: sunday)
        XCTAssertEqual(figures.currentStreak, 3)
        XCTAssertEqual(figures.dailyDebt, 0)
        XCTAssertEqual(figures.lastGoalHit?.description, "2026-11-22")
    }

    func testAMissedDayBreaksTheStreakButNotTheRecord() {
        // 16–18 hit, 19 missed (no row at all), 20–21 hit.
        let history = goals([("2026-11-16", 18), ("2026-11-17", 19), ("2026-11-18", 30),
                             ("2026-11-20", 18), ("2026-11-21", 18)])
        let figures = Ledger.figures(goals: history, today: sunday)
        XCTAssertEqual(figures.currentStreak, 2)
        XCTAssertEqual(figures.longestStreak, 3)
    }

    func testAcrossMidnightTheNewDayStartsEmpty() {
        let history = goals([("2026-11-21", 18), ("2026-11-22", 20)])
        let monday = LocalDay(year: 2026, month: 11, day: 23)
        let figures = Ledger.figures(goals: history, today: monday)
        XCTAssertEqual(figures.earned, 0)
        XCTAssertEqual(figures.currentStreak, 2, "yesterday's streak stands until today is over")
        XCTAssertEqual(figures.dailyDebt, 18)
        // Monday starts a new week: only today's debt counts.
        XCTAssertEqual(figures.weeklyDebt, 18)
        // At the end of the day: 18 behind (+3), a full day's debt (+1), weekly debt over 10 (+1).
        XCTAssertEqual(figures.pressure, 5)
    }

    func testWeeklyDebtSumsThisWeeksShortfalls() {
        // Week of Monday 16th: 16 short 8, 17 hit, 18 missing (owes 18), 19–21 hit, 22 short 10.
        let history = goals([("2026-11-15", 0), ("2026-11-16", 10), ("2026-11-17", 20), ("2026-11-19", 18),
                             ("2026-11-20", 18), ("2026-11-21", 18), ("2026-11-22", 8)])
        let figures = Ledger.figures(goals: history, today: sunday)
        XCTAssertEqual(figures.weeklyDebt, 8 + 18 + 10, "last week's zero day does not count")
        XCTAssertEqual(figures.pressure, 5, "WorkOS's pressure runs 0–5")
    }

    func testPressureFollowsWorkOSsUrgencyRules() {
        // Expected points: 0 before 8:00, 9 at noon, 18 from 18:00, interpolated between hours.
        XCTAssertEqual(Ledger.expectedPoints(hour: 7, target: 18), 0)
        XCTAssertEqual(Ledger.expectedPoints(hour: 12, target: 18), 9)
        XCTAssertEqual(Ledger.expectedPoints(hour: 12.5, target: 18), 9.75)
        XCTAssertEqual(Ledger.expectedPoints(hour: 20, target: 18), 18)
        // On pace, no debt: 0. A point behind: +1. Two behind: +2. Four behind: +3.
        XCTAssertEqual(Ledger.pressureLevel(earned: 9, expected: 9, dailyDebt: 0, weeklyDebt: 0), 0)
        XCTAssertEqual(Ledger.pressureLevel(earned: 8, expected: 9, dailyDebt: 0, weeklyDebt: 0), 1)
        XCTAssertEqual(Ledger.pressureLevel(earned: 7, expected: 9, dailyDebt: 0, weeklyDebt: 0), 2)
        XCTAssertEqual(Ledger.pressureLevel(earned: 5, expected: 9, dailyDebt: 0, weeklyDebt: 0), 3)
        // Daily debt adds up to 1 (debt/6), weekly debt over 10 and over 20 add 1 each; at most 5.
        XCTAssertEqual(Ledger.pressureLevel(earned: 9, expected: 9, dailyDebt: 3, weeklyDebt: 0), 1, "0.5 rounds up")
        XCTAssertEqual(Ledger.pressureLevel(earned: 9, expected: 9, dailyDebt: 2, weeklyDebt: 0), 0)
        XCTAssertEqual(Ledger.pressureLevel(earned: 9, expected: 9, dailyDebt: 9, weeklyDebt: 21), 3)
        XCTAssertEqual(Ledger.pressureLevel(earned: 0, expected: 18, dailyDebt: 18, weeklyDebt: 40), 5)
        // A full week hit: nothing owed.
        XCTAssertEqual(Ledger.figures(goals: goals([("2026-11-16", 18), ("2026-11-17", 18), ("2026-11-18", 18),
                                                    ("2026-11-19", 18), ("2026-11-20", 18), ("2026-11-21", 18),
                                                    ("2026-11-22", 18)]), today: sunday).pressure, 0)
    }

    func testPaceAgainstTheWorkingDay() {
        XCTAssertEqual(Ledger.pace(earned: 18, target: 18, hour: 10), .ahead)
        XCTAssertEqual(Ledger.pace(earned: 12, target: 18, hour: 17), .minimumOnly)
        XCTAssertEqual(Ledger.pace(earned: 0, target: 18, hour: 8), .behind)
        // 13:30 is half the 9:00–18:00 day: half the target is on track, less is behind.
        XCTAssertEqual(Ledger.pace(earned: 9, target: 18, hour: 13.5), .onTrack)
        XCTAssertEqual(Ledger.pace(earned: 8, target: 18, hour: 13.5), .behind)
        XCTAssertEqual(Ledger.pace(earned: 2, target: 18, hour: 8), .onTrack, "before the day starts any points are on track")
        XCTAssertEqual(Ledger.pace(earned: 8, target: 18, hour: 13.5, workday: 12...20), .onTrack)
    }

    func testTodayComesFromTheTasksAndTheAdjustedTarget() {
        // The goal row says 4 (only the web app's completions); the tasks say 2 + 7 + 4 = 13.
        let history = goals([("2026-11-21", 20), ("2026-11-22", 4)])
        let clients = [Client(id: 1, name: "A", type: "client"), Client(id: 2, name: "B", type: "client"),
                       Client(id: 3, name: "Admin", type: "internal")]
        let done = [
            WorkTask(id: 1, clientID: 1, title: "a", status: "done", category: "work", valueTier: "progress"),
            WorkTask(id: 2, clientID: 1, title: "b", status: "done", category: "work", valueTier: "milestone"),
            WorkTask(id: 3, clientID: 3, title: "c", status: "done", category: "work", pointsFinal: 4),
            WorkTask(id: 4, clientID: 2, title: "d", status: "done", category: "personal", valueTier: "milestone"),
        ]
        let context = Ledger.Today(doneTasks: done, clients: clients, adjustedTargets: ["2026-11-22": 15], hour: 14)
        let figures = Ledger.figures(goals: history, today: sunday, context: context)
        XCTAssertEqual(figures.earned, 13, "work tasks only")
        XCTAssertEqual(figures.taskCount, 3)
        XCTAssertEqual(figures.target, 15)
        XCTAssertTrue(figures.targetIsAdjusted)
        XCTAssertEqual(figures.goalRowEarned, 4)
        XCTAssertEqual(figures.dailyDebt, 2)
        XCTAssertEqual(figures.minimum, 12)
        XCTAssertEqual(figures.pace, .minimumOnly)
        XCTAssertEqual(figures.clientsTouched, 1, "the internal client does not count")
        XCTAssertEqual(figures.totalClients, 2)
        XCTAssertEqual(figures.percentOfTarget, 87)
    }

    func testTheStreakShownIsTheNewestGoalRowsAsWorkOSShowsIt() {
        var yesterday = DailyGoal(id: 1, date: "2026-11-21", earnedPoints: 20)
        yesterday.currentStreak = 41
        yesterday.longestStreak = 50
        let figures = Ledger.figures(goals: [yesterday], today: sunday, context: Ledger.Today(doneTasks: []))
        XCTAssertEqual(figures.currentStreak, 41, "the cache holds 30 goal rows; the stored streak reaches further back")
        XCTAssertEqual(figures.longestStreak, 50)
    }

    func testNullsAndOwnTargetsAreTolerated() {
        let history = [DailyGoal(id: 1, date: "2026-11-21", targetPoints: nil, earnedPoints: nil),
                       DailyGoal(id: 2, date: "not a date", targetPoints: 5, earnedPoints: 9),
                       DailyGoal(id: 3, date: "2026-11-22", targetPoints: 10, earnedPoints: 12)]
        let figures = Ledger.figures(goals: history, today: sunday)
        XCTAssertEqual(figures.target, 10)
        XCTAssertTrue(figures.isHit)
        XCTAssertEqual(figures.currentStreak, 1)
    }

    /// The goal rows may come in any order (WorkOS's cache writer inserts newest first), and a
    /// day may have two rows (the later one counts): the figures are those of the rows in date
    /// order, one a day. Checked against a count by hand of a year with runs of every length.
    func testRowsInAnyOrderAndDuplicatedDaysGiveTheSameFigures() {
        let today = LocalDay("2026-11-22")!
        var ordered: [DailyGoal] = []
        var seed: UInt64 = 42
        var longest = 0, run = 0
        for back in stride(from: 365, through: 1, by: -1) {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let hit = (seed >> 40) % 5 != 0
            run = hit ? run + 1 : 0
            longest = max(longest, run)
            ordered.append(DailyGoal(id: Int64(ordered.count + 1), date: today.adding(days: -back).description,
                                     targetPoints: 18, earnedPoints: hit ? 20 : 3))
        }
        let expected = Ledger.figures(goals: ordered, today: today)
        XCTAssertEqual(expected.longestStreak, longest)
        XCTAssertEqual(expected.currentStreak, run)
        XCTAssertEqual(Ledger.figures(goals: ordered.reversed(), today: today), expected)
        var shuffled = ordered
        var generator = SplitMix64(seed: 7)
        shuffled.shuffle(using: &generator)
        XCTAssertEqual(Ledger.figures(goals: shuffled, today: today), expected)
        // Yesterday written twice: first as missed, then as hit. The later row counts.
        var twice = shuffled
        var missed = ordered[ordered.count - 1]
        missed.earnedPoints = 0
        twice.insert(missed, at: 0)
        XCTAssertEqual(Ledger.figures(goals: twice, today: today), expected)
        twice.append(missed)
        XCTAssertEqual(Ledger.figures(goals: twice, today: today).currentStreak, 0)
    }

    func testStoredLongestStreakIsNeverLowered() {
        var old = DailyGoal(id: 1, date: "2026-11-22", earnedPoints: 18)
        old.longestStreak = 40
        XCTAssertEqual(Ledger.figures(goals: [old], today: sunday).longestStreak, 40)
    }

    func testPointsFollowWorkOS() throws {
        // points_final > tier > AI guess > effort > 2; tiers checkbox 1, progress 2, deliverable 4, milestone 7.
        var task = WorkTask(id: 1, title: "x", valueTier: "milestone")
        task.pointsAIGuess = 3
        XCTAssertEqual(task.effectivePoints, 7, "a milestone with an AI guess of 3 is worth 7")
        task.pointsFinal = 6
        XCTAssertEqual(task.effectivePoints, 6)
        task = WorkTask(id: 2, title: "y", valueTier: nil, effortEstimate: 5)
        XCTAssertEqual(task.effectivePoints, 5, "no tier: the effort estimate")
        task.pointsAIGuess = 3
        XCTAssertEqual(task.effectivePoints, 3, "no tier: the AI guess before the effort")
        XCTAssertEqual(WorkTask(id: 3, title: "z", valueTier: "mystery").effectivePoints, 2)
        XCTAssertEqual(Points.forTier("checkbox"), 1)
        XCTAssertEqual(Points.forTier("quick-win"), 2)
        XCTAssertEqual(Points.forTier("progress"), 2)
        XCTAssertEqual(Points.forTier("deliverable"), 4)
        XCTAssertEqual(Points.forTier("milestone"), 7)
        XCTAssertNil(Points.forTier("mystery"))
        XCTAssertNil(Points.forTier(nil))
        XCTAssertEqual(try Points.parse(" 7 "), 7)
        XCTAssertThrowsError(try Points.parse("-3"))
        XCTAssertThrowsError(try Points.parse("five"))
    }

    func testCompletionPlanCrossingTheTargetTicksTheStreakAsTheWebAppDoes() throws {
        var yesterday = DailyGoal(id: 2, date: "2026-11-21", targetPoints: 18, earnedPoints: 18)
        yesterday.currentStreak = 2
        yesterday.longestStreak = 9
        yesterday.lastGoalHitDate = "2026-11-21"
        let today = DailyGoal(id: 3, date: "2026-11-22", targetPoints: 18, earnedPoints: 15, taskCount: 4)
        let task = WorkTask(id: 9, title: "Ship", status: "active", valueTier: "deliverable")
        let request = CompletionRequest(taskID: 9, points: 5, completedAt: "2026-11-22T15:00:00.000Z", day: sunday, key: "k1")
        XCTAssertTrue(try CompletionPlan.shouldComplete(task, request, shown: "test"))
        let change = CompletionPlan.goalChange(completing: request, today: today, yesterday: yesterday)
        XCTAssertEqual(change.points, 5)
        XCTAssertEqual(change.tasks, 1)
        XCTAssertEqual(change.streak, StreakFields(currentStreak: 3, longestStreak: 9, lastGoalHitDate: "2026-11-22"))
        let after = change.applied(to: today)
        XCTAssertEqual(after.earnedPoints, 20)
        XCTAssertEqual(after.taskCount, 5)
        let done = CompletionPlan.completed(task, request)
        XCTAssertEqual(done.status, "done")
        XCTAssertEqual(done.pointsFinal, 5)
        XCTAssertNil(done.pointsAdjustedAt, "points not chosen by a person leave points_adjusted_at alone")
        // The task done at this very millisecond is a replay: nothing to write.
        XCTAssertFalse(try CompletionPlan.shouldComplete(done, request, shown: "test"))
        var other = done
        other.completedAt = "2026-11-22T15:00:00Z"
        XCTAssertFalse(try CompletionPlan.shouldComplete(other, request, shown: "test"), "the same instant in another format")
        // Done at another time, or gone: a conflict.
        other.completedAt = "2026-11-22T14:00:00.000Z"
        XCTAssertThrowsError(try CompletionPlan.shouldComplete(other, request, shown: "test"))
        XCTAssertThrowsError(try CompletionPlan.shouldComplete(nil, request, shown: "test"))
        // Below the target nothing about the streak changes.
        let small = CompletionPlan.goalChange(completing: CompletionRequest(taskID: 9, points: 1, completedAt: request.completedAt,
                                                                            day: sunday, key: "k2"),
                                              today: today, yesterday: yesterday)
        XCTAssertNil(small.streak)
    }

    func testCompletionOnTheDayAfterAMissedDayStartsAFreshStreak() throws {
        let monday = LocalDay(year: 2026, month: 11, day: 23)
        var saturday = DailyGoal(id: 1, date: "2026-11-21", earnedPoints: 18)
        saturday.currentStreak = 2
        saturday.longestStreak = 2
        let request = CompletionRequest(taskID: 1, points: 18, completedAt: "2026-11-23T09:00:00.000Z", day: monday, key: "k")
        let change = CompletionPlan.goalChange(completing: request, today: nil, yesterday: nil)  // Sunday 22nd: no row.
        XCTAssertEqual(change.streak?.currentStreak, 1)
        XCTAssertEqual(change.applied(to: nil).earnedPoints, 18)
    }

    func testUndoPutsTheTaskAndTheStreakBack() throws {
        let before = WorkTask(id: 4, title: "t", status: "queued", pointsAIGuess: 3)
        let request = CompletionRequest(taskID: 4, points: 4, completedAt: "2026-11-22T15:00:00.000Z", day: sunday, key: "k")
        let done = CompletionPlan.completed(before, request)
        let streakBefore = StreakFields(currentStreak: 0, longestStreak: 9, lastGoalHitDate: "2026-11-19")
        let undo = UndoRequest(taskID: 4, completedAt: request.completedAt, previous: PriorTask(before), points: 4,
                               day: "2026-11-22", streakBefore: streakBefore, at: "2026-11-22T15:00:05.000Z")
        XCTAssertTrue(try CompletionPlan.shouldUndo(done, undo, shown: "test"))
        let back = CompletionPlan.restored(done, undo)
        XCTAssertEqual(back.status, "queued")
        XCTAssertNil(back.completedAt)
        XCTAssertNil(back.pointsFinal)
        XCTAssertFalse(try CompletionPlan.shouldUndo(back, undo, shown: "test"), "undone already: a replay")
        let row = DailyGoal(id: 1, date: "2026-11-22", targetPoints: 18, earnedPoints: 19, taskCount: 5)
        let change = CompletionPlan.goalChange(undoing: undo, today: row)
        XCTAssertEqual(change.applied(to: row).earnedPoints, 15)
        XCTAssertEqual(change.streak, streakBefore, "dropping below the target puts the streak back")
    }
}
