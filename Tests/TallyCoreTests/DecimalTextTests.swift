import Foundation
import TallyCore
import XCTest

/// `DecimalText.fixed` stands in for `String(format: "%.Nf")`; printf is the reference: exact
/// ties go to the even digit, values that only look like ties go the way their stored value
/// lies, and so do ratios of whole numbers, durations and random values.
final class DecimalTextTests: XCTestCase {
    func testFixedAgreesWithPrintf() {
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, 0.005, 0.015, 0.125, 0.375, 1.005, 2.675, 0.35, 0.45, 9.995, 99.9999,
                                1e9 + 0.25, 123_456.785, -0.004, -1.25, -3.35, 4.5e15, 1e20, 0.000_001]
        for whole in 0...300 { for count in 1...16 { values.append(Double(whole) / Double(count)) } }
        var seed: UInt64 = 0xDEC1
        for _ in 0..<5000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Double(seed >> 11) / Double(1 << 53) * [1, 10, 1000, 1e6][Int(seed % 4)])
        }
        for places in 0...4 {
            for value in values {
                XCTAssertEqual(DecimalText.fixed(value, places: places), String(format: "%.\(places)f", value), "\(value), \(places) places")
            }
        }
        XCTAssertEqual(DecimalText.fixed(.nan, places: 2), "nan")
        XCTAssertEqual(DecimalText.fixed(-.infinity, places: 2), "-inf")
    }
}
