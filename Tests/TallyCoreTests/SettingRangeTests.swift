import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Every duration and count is bounded, the same way from the config file, the environment and
/// the code the flags use: 1e300 is refused with one line, never passed to a timer.
final class SettingRangeTests: XCTestCase {
    func testHugeTinyAndNonFiniteDurationsAreRefusedFromTheConfig() throws {
        let dir = TempDirectory()
        let path = dir.file("config.toml")
        let cases: [(String, String)] = [
            ("refresh = 1e300\n", "refresh must be at most 31536000 seconds"),
            ("refresh = 2e10\n", "refresh must be at most"),
            ("refresh = 0.001\n", "refresh must be at least 0.1 seconds"),
            ("refresh = inf\n", "refresh must be a number of seconds"),
            ("refresh = nan\n", "refresh must be a number of seconds"),
            ("stale_after = 1e300\n", "stale_after must be at most"),
            ("[stale_after]\ntasks = 1e300\n", "stale_after.tasks must be at most"),
            ("poll = 1e-9\n", "poll must be at least 0.01 seconds"),
            ("away_after = 1e20\n", "away_after must be at most"),
            ("away_refresh = 1e300\n", "away_refresh must be at most"),
            ("away_refresh = 0.001\n", "away_refresh must be at least 0.1"),
            ("chunk_size = 9223372036854775807\n", "chunk_size must be a whole number from 1 to 100000"),
            ("history_days = 99999999\n", "history_days"),
        ]
        for (text, fragment) in cases {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Config.resolve(Config.Overrides(config: path), environment: [:]), text) { error in
                guard case .badConfig(_, _, let reason)? = error as? TallyError else { return XCTFail("\(text): \(error)") }
                XCTAssertTrue(reason.contains(fragment), "\(text): \(reason)")
                XCTAssertEqual(error.userMessage.split(separator: "\n").count, 1)
            }
        }
        try "away_refresh = 0\nrefresh = 31536000\nstale_after = 0.001\n".write(toFile: path, atomically: true, encoding: .utf8)
        let edges = try Config.resolve(Config.Overrides(config: path), environment: [:])
        XCTAssertEqual(edges.awayRefresh, 0, "0 still means never")
        XCTAssertEqual(edges.refreshInterval, 31_536_000, "a year is allowed")
    }

    func testHugeDurationsAreRefusedFromTheEnvironment() {
        for name in ["TALLY_REFRESH", "TALLY_STALE_AFTER", "TALLY_AWAY_AFTER", "TALLY_AWAY_REFRESH"] {
            for value in ["1e300", "inf", "-inf", "nan", "2e10", "1e400"] {
                XCTAssertThrowsError(try Config.resolve(Config.Overrides(), environment: [name: value, "HOME": "/nonexistent"]),
                                     "\(name)=\(value)") { error in
                    XCTAssertTrue(error.userMessage.hasPrefix(name), error.userMessage)
                    XCTAssertEqual(error.userMessage.split(separator: "\n").count, 1)
                }
            }
        }
    }

    func testCountsSayWhatIsWrong() {
        func reason(_ text: String) -> String? {
            if case .failure(let refusal) = SettingRange.count(text, name: "--tasks", in: 0...2_000_000) { return refusal.reason }
            return nil
        }
        XCTAssertNil(reason("600"))
        XCTAssertEqual(reason("-5"), "--tasks must be from 0 to 2000000, got -5")
        XCTAssertEqual(reason("9999999999999999999999"), "--tasks is out of range: it must be from 0 to 2000000, got 9999999999999999999999")
        XCTAssertEqual(reason("lots"), "--tasks must be a whole number, got \"lots\"")
        XCTAssertEqual(reason("1e3"), "--tasks must be a whole number, got \"1e3\"")
    }
}
