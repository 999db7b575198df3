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
        XCTAssertEqual(figures.pressure, 50)
    }

    func testWeeklyDebtSumsThisWeeksShortfalls() {
        // Week of Monday 16th: 16 short 8, 17 hit, 18 missing (owes 18), 19–21 hit, 22 short 10.
        let history = goals([("2026-11-15", 0), ("2026-11-16", 10), ("2026-11-17", 20), ("2026-11-19", 18),
                             ("2026-11-20", 18), ("2026-11-21", 18), ("2026-11-22", 8)])
        let figures = Ledger.figures(goals: history, today: sunday)
        XCTAssertEqual(figures.weeklyDebt, 8 + 18 + 10, "last week's zero day does not count")
        XCTAssertEqual(figures.pressure, 100)
    }

    func testPressureScale() {
        XCTAssertEqual(Ledger.figures(goals: goals([("2026-11-16", 18), ("2026-11-17", 18), ("2026-11-18", 18),
                                                    ("2026-11-19", 18), ("2026-11-20", 18), ("2026-11-21", 18),
                                                    ("2026-11-22", 18)]), today: sunday).pressure, 0)
        XCTAssertEqual(Ledger.figures(goals: goals([("2026-11-16", 18), ("2026-11-17", 18), ("2026-11-18", 18),
                                                    ("2026-11-19", 18), ("2026-11-20", 18), ("2026-11-21", 18),
                                                    ("2026-11-22", 9)]), today: sunday).pressure, 25)
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

    func testStoredLongestStreakIsNeverLowered() {
        var old = DailyGoal(id: 1, date: "2026-11-22", earnedPoints: 18)
        old.longestStreak = 40
        XCTAssertEqual(Ledger.figures(goals: [old], today: sunday).longestStreak, 40)
    }

    func testPointsDefaults() throws {
        var task = WorkTask(id: 1, title: "x", valueTier: "milestone")
        XCTAssertEqual(task.effectivePoints, 8)
        task.pointsAIGuess = 4
        XCTAssertEqual(task.effectivePoints, 4)
        task.pointsFinal = 6
        XCTAssertEqual(task.effectivePoints, 6)
        XCTAssertEqual(Points.forTier("checkbox"), 1)
        XCTAssertEqual(Points.forTier("quick-win"), 2)
        XCTAssertEqual(Points.forTier("progress"), 3)
        XCTAssertEqual(Points.forTier("deliverable"), 5)
        XCTAssertEqual(Points.forTier("mystery"), 2)
        XCTAssertEqual(Points.forTier(nil), 2)
        XCTAssertEqual(try Points.parse(" 7 "), 7)
        XCTAssertThrowsError(try Points.parse("-3"))
        XCTAssertThrowsError(try Points.parse("five"))
    }

    func testCompletionPlanCrossingTheTargetTicksTheStreak() throws {
        let history = goals([("2026-11-20", 18), ("2026-11-21", 18), ("2026-11-22", 15)])
        let task = WorkTask(id: 9, title: "Ship", status: "active", valueTier: "deliverable")
        let request = CompletionRequest(taskID: 9, points: 5, completedAt: "2026-11-22T15:00:00.000Z", day: sunday, key: "k1")
        let plan = try CompletionPlan.complete(task: task, applied: nil, goals: history, request: request, shown: "test")
        XCTAssertEqual(plan.goal.earnedPoints, 20)
        XCTAssertEqual(plan.goal.taskCount, 1)
        XCTAssertEqual(plan.goal.currentStreak, 3)
        XCTAssertEqual(plan.goal.dailyDebt, 0)
        XCTAssertEqual(plan.task.status, "done")
        XCTAssertEqual(plan.task.pointsFinal, 5)
        // The same key again is a replay: nothing to write.
        let replay = try CompletionPlan.complete(task: plan.task, applied: plan.applied, goals: history + [plan.goal],
                                                 request: request, shown: "test")
        XCTAssertTrue(replay.isReplay)
        // A done task without this key is a conflict.
        XCTAssertThrowsError(try CompletionPlan.complete(task: plan.task, applied: nil, goals: history, request: request, shown: "test"))
        XCTAssertThrowsError(try CompletionPlan.complete(task: nil, applied: nil, goals: history, request: request, shown: "test"))
    }

    func testCompletionOnTheDayAfterAMissedDayStartsAFreshStreak() throws {
        let monday = LocalDay(year: 2026, month: 11, day: 23)
        let history = goals([("2026-11-20", 18), ("2026-11-21", 18)])  // Sunday 22nd missed.
        let request = CompletionRequest(taskID: 1, points: 18, completedAt: "2026-11-23T09:00:00.000Z", day: monday, key: "k")
        let plan = try CompletionPlan.complete(task: WorkTask(id: 1, title: "Big"), applied: nil, goals: history,
                                               request: request, shown: "test")
        XCTAssertEqual(plan.goal.currentStreak, 1)
        XCTAssertEqual(plan.goal.longestStreak, 2)
    }
}
