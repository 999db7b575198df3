import Foundation
@testable import TallyUI
import XCTest

/// `Format.parts` works the clock out by arithmetic on the zone's offset; Foundation's Gregorian
/// calendar is the reference it must agree with, across zones, DST changes and years.
final class FormatTests: XCTestCase {
    func testClockPartsAgreeWithTheGregorianCalendar() throws {
        let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu",
                     "Pacific/Kiritimati", "America/St_Johns"].compactMap(TimeZone.init(identifier:))
        XCTAssertEqual(zones.count, 7)
        // Instants around 1970, across DST changes in both hemispheres, at day boundaries, far ahead.
        var instants: [TimeInterval] = [-86_401, -1, 0, 1, 86_399, 86_400, 951_782_400, 1_711_846_799, 1_711_846_800,
                                        1_730_595_600, 1_743_897_599, 1_798_761_599, 4_102_444_800]
        var seed: UInt64 = 0x7A11_7A11
        for _ in 0..<400 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            instants.append(TimeInterval((seed >> 33) % 4_200_000_000) - 100_000_000 + 0.75)
        }
        for zone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for instant in instants {
                let date = Date(timeIntervalSince1970: instant)
                let c = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: date)
                let p = Format.parts(date, in: zone)
                let expected = [c.year, c.month, c.day, c.weekday, c.hour, c.minute, c.second].map { $0 ?? -1 }
                XCTAssertEqual([p.year, p.month, p.day, p.weekday, p.hour, p.minute, p.second], expected,
                               "\(zone.identifier) at \(instant)")
            }
        }
    }

    func testTheHeaderDateAndClock() throws {
        let zone = try XCTUnwrap(TimeZone(identifier: "Asia/Kathmandu"))
        let date = Date(timeIntervalSince1970: 1_798_761_599)  // 2026-12-31T23:59:59Z
        XCTAssertEqual(Format.longDate(date, in: zone), "Fri 1 Jan 2027")
        XCTAssertEqual(Format.clock(date, in: zone), "05:44")
    }

    /// `tenths` and `twoDigits` stand in for `String(format:)` on the way to a frame; printf is
    /// the reference: exact ties (0.25, 1.25) go to the even tenth, values that only look like
    /// ties (0.35 is stored a little below, 0.45 a little above) go the way their stored value
    /// lies, and so do averages of whole points and random values.
    func testTenthsAndTwoDigitsAgreeWithPrintf() {
        var values: [Double] = [0, -0.0, 0.04, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.75, 1.25, 2.5, 9.95, 9.96,
                                0.999_999, 12.05, 99.95, 1e9 + 0.25, -0.04, -1.25, -3.35]
        for sum in 0...200 { for count in 1...12 { values.append(Double(sum) / Double(count)) } }
        var seed: UInt64 = 0x5EED
        for _ in 0..<5000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Double(seed >> 11) / Double(1 << 53) * 1000)
        }
        for value in values {
            XCTAssertEqual(Format.tenths(value), String(format: "%.1f", value), "\(value)")
        }
        for value in -12...120 {
            XCTAssertEqual(Format.twoDigits(value), String(format: "%02d", value))
        }
        XCTAssertEqual(Format.duration(4.25), "4.2s")
        XCTAssertEqual(Format.duration(3725), "1h 02m")
    }
}
