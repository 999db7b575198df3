import Foundation
import TallyCore
import XCTest

/// WorkOS's streak rules for a habit check-in, in local calendar days.
final class HabitCheckInTests: XCTestCase {
    let newYork = TimeZone(identifier: "America/New_York")!

    func day(_ text: String) -> LocalDay { LocalDay(text)! }

    func streak(_ current: Int, _ longest: Int, _ last: String?) -> HabitStreak {
        HabitStreak(currentStreak: current, longestStreak: longest, lastCompletedDate: last)
    }

    func testDailyGrowsAfterYesterdayAndStartsAgainAfterAGap() {
        XCTAssertEqual(HabitCheckIn.streak(after: streak(4, 9, "2026-11-25"), frequency: "daily", day: day("2026-11-26")),
                       streak(5, 9, "2026-11-26"))
        XCTAssertEqual(HabitCheckIn.streak(after: streak(9, 9, "2026-11-25"), frequency: "daily", day: day("2026-11-26")),
                       streak(10, 10, "2026-11-26"), "the longest streak follows")
        XCTAssertEqual(HabitCheckIn.streak(after: streak(4, 9, "2026-11-24"), frequency: "daily", day: day("2026-11-26")),
                       streak(1, 9, "2026-11-26"))
        XCTAssertEqual(HabitCheckIn.streak(after: streak(0, 0, nil), frequency: "daily", day: day("2026-11-26")),
                       streak(1, 1, "2026-11-26"), "a first check-in")
        XCTAssertEqual(HabitCheckIn.streak(after: streak(4, 9, "2026-11-25"), frequency: nil, day: day("2026-11-26")),
                       streak(5, 9, "2026-11-26"), "no frequency is WorkOS's default, daily")
        XCTAssertEqual(HabitCheckIn.streak(after: streak(4, 9, "2026-11-25"), frequency: "monthly", day: day("2026-11-26")),
                       streak(1, 9, "2026-11-26"), "a frequency WorkOS does not know has no expected day")
    }

    func testWeeklyCountsSevenDaysBackAcrossAWeekBoundary() {
        // Monday 30 November after Monday 23 November: the next week, seven days on.
        XCTAssertEqual(day("2026-11-30").weekdayFromMonday, 0)
        XCTAssertEqual(HabitCheckIn.expectedPrevious(frequency: "weekly", before: day("2026-11-30")), day("2026-11-23"))
        XCTAssertEqual(HabitCheckIn.streak(after: streak(3, 3, "2026-11-23"), frequency: "weekly", day: day("2026-11-30")),
                       streak(4, 4, "2026-11-30"))
        // Sunday to the next Monday is a new week but eight days: WorkOS starts again.
        XCTAssertEqual(HabitCheckIn.streak(after: streak(3, 5, "2026-11-22"), frequency: "weekly", day: day("2026-11-30")),
                       streak(1, 5, "2026-11-30"))
        // Six days (Tuesday to Monday, across the boundary) is not seven either.
        XCTAssertEqual(HabitCheckIn.streak(after: streak(3, 5, "2026-11-24"), frequency: "weekly", day: day("2026-11-30")),
                       streak(1, 5, "2026-11-30"))
        // Across a year boundary.
        XCTAssertEqual(HabitCheckIn.expectedPrevious(frequency: "weekly", before: day("2027-01-04")), day("2026-12-28"))
    }

    func testWeekdaysSkipTheWeekend() {
        // Monday after Friday continues; Monday after Thursday does not.
        XCTAssertEqual(HabitCheckIn.expectedPrevious(frequency: "weekdays", before: day("2026-11-30")), day("2026-11-27"))
        XCTAssertEqual(HabitCheckIn.streak(after: streak(5, 5, "2026-11-27"), frequency: "weekdays", day: day("2026-11-30")),
                       streak(6, 6, "2026-11-30"))
        XCTAssertEqual(HabitCheckIn.streak(after: streak(5, 5, "2026-11-26"), frequency: "weekdays", day: day("2026-11-30")),
                       streak(1, 5, "2026-11-30"))
        // Tuesday after Monday.
        XCTAssertEqual(HabitCheckIn.streak(after: streak(6, 6, "2026-11-30"), frequency: "weekdays", day: day("2026-12-01")),
                       streak(7, 7, "2026-12-01"))
        // A weekend check-in (WorkOS takes it) expects the Friday before; Sunday after it does too.
        XCTAssertEqual(HabitCheckIn.expectedPrevious(frequency: "weekdays", before: day("2026-11-28")), day("2026-11-27"))
        XCTAssertEqual(HabitCheckIn.expectedPrevious(frequency: "weekdays", before: day("2026-11-29")), day("2026-11-27"))
        // A Saturday check-in does not carry a Monday's streak: the expected day is still Friday.
        XCTAssertEqual(HabitCheckIn.streak(after: streak(2, 4, "2026-11-28"), frequency: "weekdays", day: day("2026-11-30")),
                       streak(1, 4, "2026-11-30"))
    }

    func testTheDayAndItsBoundsFollowTheLocalZoneAcrossTheDaylightSavingChange() throws {
        // 1 November 2026: New York leaves daylight time at 02:00, so the day is 25 hours long.
        let lateOnTheFirst = try XCTUnwrap(Timestamp.parse("2026-11-02T04:30:00.000Z"))  // 23:30 EST on the 1st
        let request = HabitCheckInRequest(habitID: 1, note: nil, key: "k", now: lateOnTheFirst, timeZone: newYork)
        XCTAssertEqual(request.day, "2026-11-01")
        XCTAssertEqual(request.dayStart, "2026-11-01T04:00:00.000Z", "midnight EDT")
        XCTAssertEqual(request.dayEnd, "2026-11-02T05:00:00.000Z", "midnight EST")
        XCTAssertEqual(request.completedAt, "2026-11-02T04:30:00.000Z")

        // Half past midnight on the 2nd counts for the 2nd and continues the 1st's streak.
        let afterMidnight = try XCTUnwrap(Timestamp.parse("2026-11-02T05:30:00.000Z"))
        let next = HabitCheckInRequest(habitID: 1, note: nil, key: "k2", now: afterMidnight, timeZone: newYork)
        XCTAssertEqual(next.day, "2026-11-02")
        var habit = Habit(id: 1, name: "Walk", frequency: "daily", currentStreak: 3, longestStreak: 3)
        habit.lastCompletedDate = "2026-10-31"
        habit = HabitCheckIn.checkedIn(habit, request)
        XCTAssertEqual(HabitStreak(habit), streak(4, 4, "2026-11-01"))
        XCTAssertEqual(habit.updatedAt, "2026-11-02T04:30:00.000Z")
        habit = HabitCheckIn.checkedIn(habit, next)
        XCTAssertEqual(HabitStreak(habit), streak(5, 5, "2026-11-02"))

        // The spring change (8 March 2026) makes a 23-hour day.
        let spring = HabitCheckInRequest(habitID: 1, note: nil, key: "k3", now: try XCTUnwrap(Timestamp.parse("2026-03-08T16:00:00.000Z")),
                                         timeZone: newYork)
        XCTAssertEqual(spring.dayStart, "2026-03-08T05:00:00.000Z")
        XCTAssertEqual(spring.dayEnd, "2026-03-09T04:00:00.000Z")
    }

    func testOnceADayAndAReplayAfterALaterCheckInLeavesTheStreak() {
        XCTAssertTrue(HabitCheckIn.isDone(on: day("2026-11-26"), lastCompletedDate: "2026-11-26"))
        XCTAssertTrue(HabitCheckIn.isDone(on: day("2026-11-26"), lastCompletedDate: "2026-11-20", completionDays: [day("2026-11-26")]))
        XCTAssertFalse(HabitCheckIn.isDone(on: day("2026-11-26"), lastCompletedDate: "2026-11-25"))
        // A check-in made offline yesterday, sent after today's: the streak stays.
        XCTAssertEqual(HabitCheckIn.streak(after: streak(2, 8, "2026-11-26"), frequency: "daily", day: day("2026-11-25")),
                       streak(2, 8, "2026-11-26"))
    }

    func testUndoRestoresOnlyWhatTheCheckInLeft() {
        var habit = Habit(id: 1, name: "Walk", frequency: "daily", currentStreak: 5, longestStreak: 9)
        habit.lastCompletedDate = "2026-11-26"
        let request = HabitUndoRequest(habitID: 1, completedAt: "2026-11-26T12:00:00.000Z", before: streak(4, 9, "2026-11-25"),
                                       after: streak(5, 9, "2026-11-26"), at: "2026-11-26T12:00:05.000Z")
        let back = HabitCheckIn.undone(habit, request)
        XCTAssertEqual(HabitStreak(back), streak(4, 9, "2026-11-25"))
        XCTAssertEqual(back.updatedAt, "2026-11-26T12:00:05.000Z")
        // Changed elsewhere meanwhile: left as it is.
        habit.currentStreak = 1
        XCTAssertEqual(HabitCheckIn.undone(habit, request), habit)
    }

    func testNotesAreTrimmedAndBounded() throws {
        XCTAssertNil(try HabitCheckIn.note("   "))
        XCTAssertEqual(try HabitCheckIn.note(" Along the river "), "Along the river")
        XCTAssertThrowsError(try HabitCheckIn.note(String(repeating: "a", count: 501)))
    }
}
