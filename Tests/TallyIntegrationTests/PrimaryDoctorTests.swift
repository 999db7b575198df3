import Foundation
@testable import TallyCore
import TallyTestSupport
import XCTest

/// `tally doctor` with a primary checks it: reachable, the WorkOS tables, push, and the clocks.
final class PrimaryDoctorTests: XCTestCase {
    func testDoctorChecksThePrimary() throws {
        let url = try PostgresServer.freshDatabase()
        let dir = TempDirectory("tally-doctor")
        let cache = dir.file("cache.db")
        _ = try Tally.run(["demo", "--no-ui", "--dir", dir.path])

        let bare = try Tally.run(["doctor", "--cache", cache, "--primary", url])
        XCTAssertEqual(bare.status, 1, "missing tables are a problem")
        XCTAssertTrue(bare.stdout.contains("\nPrimary postgres://tally:***@127.0.0.1:"), bare.stdout)
        XCTAssertTrue(bare.stdout.contains("  ✓ reachable: PostgreSQL "), bare.stdout)
        XCTAssertTrue(bare.stdout.contains("  ✗ tables: missing clients, tasks, daily_goals, habits; "
                                           + "run `tally primary init`"), bare.stdout)
        XCTAssertFalse(bare.stdout.contains("tally-test-pw"))

        XCTAssertEqual(try Tally.run(["primary", "init", "--primary", url]).status, 0)
        let ready = try Tally.run(["doctor", "--cache", cache, "--primary", url])
        XCTAssertEqual(ready.status, 0, ready.stdout)
        for line in ["  ✓ tables: clients, tasks, daily_goals, habits",
                     "  ✓ push: off (as a WorkOS database is)", "  ✓ clock: within "] {
            XCTAssertTrue(ready.stdout.contains(line), "\(line)\n\(ready.stdout)")
        }

        XCTAssertEqual(try Tally.run(["primary", "init", "--push", "--primary", url]).status, 0)
        let pushed = try Tally.run(["doctor", "--cache", cache, "--primary", url])
        XCTAssertEqual(pushed.status, 0, pushed.stdout)
        XCTAssertTrue(pushed.stdout.contains("  ✓ push: on: NOTIFY tally_changes"), pushed.stdout)

        let down = try Tally.run(["doctor", "--cache", cache, "--primary", "postgres://tally:pw@127.0.0.1:1/tally"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.stdout.contains("  ✗ reachable: Cannot reach PostgreSQL at 127.0.0.1:1: connection refused."), down.stdout)
    }

    func testClockSkewIsReportedBeyondFiveSeconds() {
        XCTAssertEqual(PrimaryDoctor.clockCheck(skew: 0.25).detail, "within 0.25 s of this machine's")
        XCTAssertEqual(PrimaryDoctor.clockCheck(skew: -0.25).level, .ok)
        let ahead = PrimaryDoctor.clockCheck(skew: 42)
        XCTAssertEqual(ahead.level, .warning)
        XCTAssertTrue(ahead.detail.hasPrefix("the primary is 42 s ahead of this machine"), ahead.detail)
        XCTAssertTrue(PrimaryDoctor.clockCheck(skew: -90).detail.hasPrefix("the primary is 90 s behind this machine"))
    }
}
