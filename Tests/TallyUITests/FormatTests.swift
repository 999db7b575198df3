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
}
