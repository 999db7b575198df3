@testable import TallyCore
import XCTest

/// PostgreSQL's binary times written out as the cache stores them (`PostgresTime`), checked
/// here against values worked out by hand; `PostgresBinaryTimeTests` holds them against the
/// server's own `to_char` over thousands of values.
final class PostgresTimeTests: XCTestCase {
    /// Microseconds from 2000-01-01 00:00 UTC.
    func micro(days: Int64, seconds: Int64 = 0, micro: Int64 = 0) -> Int64 { (days * 86_400 + seconds) * 1_000_000 + micro }

    func testTimestampsAreWrittenAsToCharWritesThem() {
        XCTAssertEqual(PostgresTime.timestamp(microseconds: 0), "2000-01-01T00:00:00.000Z")
        // The milliseconds are cut, never rounded up into the next second.
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: 0, seconds: 59, micro: 999_999)), "2000-01-01T00:00:59.999Z")
        XCTAssertEqual(PostgresTime.timestamp(microseconds: -1), "1999-12-31T23:59:59.999Z")
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: -10_957)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: -10_957, micro: -500)), "1969-12-31T23:59:59.999Z")
        // 2026-12-06 is 9,836 days after 2000-01-01; 2024-02-29 (a leap day) 8,825.
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: 9836, seconds: 19 * 3600 + 24 * 60 + 27, micro: 123_456)),
                       "2026-12-06T19:24:27.123Z")
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: 8825, seconds: 86_399)), "2024-02-29T23:59:59.000Z")
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: 8826)), "2024-03-01T00:00:00.000Z")
    }

    func testYearsOutsideOneToNineThousandAreWrittenAsToCharWritesThem() {
        // 0001-01-01 is 730,119 days before 2000-01-01; the day before it is 1 BC, written 0001.
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: -730_119)), "0001-01-01T00:00:00.000Z")
        XCTAssertEqual(PostgresTime.timestamp(microseconds: micro(days: -730_120)), "0001-12-31T00:00:00.000Z")
        // 10000-01-01 is 2,921,940 days after 2000-01-01: five digits.
        XCTAssertEqual(PostgresTime.date(days: 2_921_940), "10000-01-01")
        XCTAssertEqual(PostgresTime.date(days: 2_921_939), "9999-12-31")
    }

    func testDatesAndInfinity() {
        XCTAssertEqual(PostgresTime.date(days: 0), "2000-01-01")
        XCTAssertEqual(PostgresTime.date(days: -1), "1999-12-31")
        XCTAssertEqual(PostgresTime.date(days: 9836), "2026-12-06")
        // `infinity` and `-infinity`: `to_char` gives NULL.
        XCTAssertNil(PostgresTime.timestamp(microseconds: .max))
        XCTAssertNil(PostgresTime.timestamp(microseconds: .min))
        XCTAssertNil(PostgresTime.date(days: .max))
        XCTAssertNil(PostgresTime.date(days: .min))
    }
}
