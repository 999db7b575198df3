import Foundation
@testable import TallyCore
import XCTest

/// A timestamp's canonical text, the milliseconds since 1970 that PostgreSQL's side computes.
final class CanonicalTimeTests: XCTestCase {
    func milliseconds(_ text: String) -> Int64? {
        Array(text.utf8).withUnsafeBufferPointer { CanonicalTime.milliseconds($0) }
    }

    func testEveryFormOfTheSameInstantGivesTheSameMilliseconds() {
        let instant: Int64 = 1_769_023_440_123  // 2026-01-21T19:24:00.123Z
        for text in ["2026-01-21T19:24:00.123Z", "2026-01-21T19:24:00.123456Z", "2026-01-21T21:24:00.123+02:00",
                     "2026-01-21T14:24:00.123-0500", "2026-01-21 19:24:00.123", "2026-01-21t19:24:00,1239z"] {
            XCTAssertEqual(milliseconds(text), instant, text)
        }
        XCTAssertEqual(milliseconds("2026-01-21T19:24:00Z"), instant - 123)
        XCTAssertEqual(milliseconds("2026-01-21T19:24Z"), instant - 123)
        XCTAssertEqual(milliseconds("2026-01-21"), instant - 123 - (19 * 3600 + 24 * 60) * 1000)
        XCTAssertEqual(milliseconds("1969-12-31T23:59:59.999Z"), -1)
        for text in ["", "yesterday", "2026-13-01T00:00:00.000Z", "2026-01-21T25:00:00.000Z", "2026-01-21T19:24:00.Z"] {
            XCTAssertNil(milliseconds(text), text)
        }
    }

    /// The quick path for `…T19:24:00.000Z` agrees with `Timestamp` on a spread of instants.
    func testTheQuickPathAgreesWithTheCalendar() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let millis = Int64.random(in: 0...7_258_118_399_999, using: &generator)  // to 2199
            let text = Timestamp.format(Date(timeIntervalSince1970: Double(millis) / 1000))
            XCTAssertEqual(milliseconds(text), millis, text)
        }
    }
}
