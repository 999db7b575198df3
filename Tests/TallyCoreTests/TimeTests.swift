import Foundation
import TallyCore
import XCTest

final class TimeTests: XCTestCase {
    func testFormatsLikeJavaScript() {
        XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: 1_769_023_440.123)), "2026-01-21T19:24:00.123Z")
        XCTAssertEqual(Timestamp.format(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
    }

    func testParsesTheFormsOtherWritersUse() throws {
        let expected = Date(timeIntervalSince1970: 1_769_023_440)
        for text in ["2026-01-21T19:24:00Z", "2026-01-21T19:24:00.000Z", "2026-01-21 19:24:00",
                     "2026-01-21T20:24:00+01:00", "2026-01-21T11:24:00-0800", "2026-01-21T19:24Z"] {
            let parsed = try XCTUnwrap(Timestamp.parse(text), text)
            XCTAssertEqual(parsed.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.001, text)
        }
        XCTAssertEqual(Timestamp.parse("2026-01-21T19:24:00.5Z")?.timeIntervalSince1970 ?? 0, 1_769_023_440.5, accuracy: 0.001)
        XCTAssertEqual(Timestamp.parse("2026-01-21")?.timeIntervalSince1970, 1_768_953_600)
    }

    func testRejectsGarbage() {
        for text in ["", "yesterday", "2026-13-01", "2026-01-21T25:00:00Z", "2026-01-21Tnoon", "2026/01/21", "2026-01-21T19:24:00Zjunk"] {
            XCTAssertNil(Timestamp.parse(text), text)
        }
        XCTAssertNil(Timestamp.parse(nil))
    }

    func testLocalDayArithmetic() {
        let day = LocalDay(year: 2026, month: 11, day: 22)
        XCTAssertEqual(day.description, "2026-11-22")
        XCTAssertEqual(LocalDay(ordinal: day.ordinal), day)
        XCTAssertEqual(day.adding(days: 10).description, "2026-12-02")
        XCTAssertEqual(LocalDay(year: 2024, month: 2, day: 28).adding(days: 1).description, "2024-02-29")
        XCTAssertEqual(day.weekdayFromMonday, 6)  // a Sunday
        XCTAssertEqual(day.startOfWeek.description, "2026-11-16")
        XCTAssertEqual(LocalDay(year: 2026, month: 11, day: 16).startOfWeek.description, "2026-11-16")
        XCTAssertEqual(LocalDay("2026-11-22T10:00:00Z"), day)
        XCTAssertEqual(LocalDay("2026-11-22"), day)
        XCTAssertEqual(LocalDay("0001-01-01"), LocalDay(year: 1, month: 1, day: 1))
        for bad in ["22/11/2026", "2026-11-2", "2026-11", "", "2026/11/22", "2026-13-01", "2026-00-10", "2026-11-32",
                    "2026-11-00", "20261-1-22", "2026-1a-22", "２０２６-11-22", "2026-11-2\u{301}"] {
            XCTAssertNil(LocalDay(bad), bad)
        }
        XCTAssertNil(LocalDay(nil))
    }

    func testLocalDayFollowsTheTimeZone() throws {
        // 23:30 UTC on the 21st is already the 22nd in Berlin and still the 21st in New York.
        let instant = try XCTUnwrap(Timestamp.parse("2026-11-21T23:30:00Z"))
        XCTAssertEqual(LocalDay(instant, in: try XCTUnwrap(TimeZone(identifier: "Europe/Berlin"))).description, "2026-11-22")
        XCTAssertEqual(LocalDay(instant, in: try XCTUnwrap(TimeZone(identifier: "America/New_York"))).description, "2026-11-21")
    }

    /// The finder's days are `LocalDay(_:in:)`'s, across the transitions of zones that move by
    /// an hour, by half an hour (Lord Howe, at :30 UTC), at odd offsets (Chatham, Kathmandu) and
    /// not at all, inside its window and outside it, and on the seconds either side of each
    /// transition.
    func testTheLocalDayFinderAgreesWithTheZoneLookup() throws {
        var random = SystemRandomNumberGenerator()
        let zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu",
                     "Asia/Kolkata", "America/St_Johns", "UTC", "Pacific/Apia"]
        for name in zones {
            let zone = try XCTUnwrap(TimeZone(identifier: name), name)
            let start = Date(timeIntervalSince1970: 1_788_000_000)  // 2026-08-29
            let end = start.addingTimeInterval(200 * 86400)
            let finder = LocalDayFinder(timeZone: zone, from: start, through: end)
            var instants = (0..<2000).map { _ in start.addingTimeInterval(Double.random(in: -30 * 86400...230 * 86400, using: &random)) }
            var at = start, transitions = 0
            while let next = zone.nextDaylightSavingTimeTransition(after: at), next < end {
                instants += [-3601, -1, -0.5, 0, 0.5, 1, 3600].map { next.addingTimeInterval($0) }
                at = next
                transitions += 1
            }
            if ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham"].contains(name) {
                XCTAssertGreaterThan(transitions, 0, "\(name) changes its clocks in the window")
            }
            for instant in instants {
                XCTAssertEqual(finder.day(of: instant), LocalDay(instant, in: zone), "\(name) at \(instant.timeIntervalSince1970)")
            }
        }
    }

    func testRelativeTime() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertEqual(RelativeTime.ago(now.addingTimeInterval(-180), now: now), "3m ago")
        XCTAssertEqual(RelativeTime.ago(now.addingTimeInterval(-2), now: now), "just now")
        XCTAssertEqual(RelativeTime.ago(now.addingTimeInterval(-7200), now: now), "2h ago")
        XCTAssertEqual(RelativeTime.until(now.addingTimeInterval(42), now: now), "in 50s")
        XCTAssertEqual(RelativeTime.until(now.addingTimeInterval(3), now: now), "in 10s")
        XCTAssertEqual(RelativeTime.ago(now.addingTimeInterval(-42), now: now), "40s ago")
    }
}
