import Foundation
import TallyCore
import XCTest

/// When the dashboard is present or away, and what each allows.
final class PresenceTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    func testAwayAfterTheTimeWithoutAKeyAndBackAtTheNextKey() {
        var presence = Presence(awayAfter: 600, awayRefresh: 3600, now: start)
        XCTAssertEqual(presence.awayAt, at(600))
        XCTAssertNil(presence.update(at: at(599)))
        XCTAssertTrue(presence.mayHoldPush)
        XCTAssertNil(presence.key(at: at(300)), "a key while present changes nothing but the time")
        XCTAssertNil(presence.update(at: at(600)), "the key moved the time on")
        XCTAssertEqual(presence.awayAt, at(900))
        XCTAssertEqual(presence.update(at: at(900)), .left)
        XCTAssertTrue(presence.isAway)
        XCTAssertFalse(presence.mayHoldPush)
        XCTAssertNil(presence.awayAt)
        XCTAssertNil(presence.update(at: at(5000)), "away is said once")
        XCTAssertEqual(presence.key(at: at(5000)), .returned)
        XCTAssertFalse(presence.isAway)
        XCTAssertTrue(presence.mayHoldPush)
        XCTAssertNil(presence.key(at: at(5001)), "back is said once")
        XCTAssertEqual(presence.awayAt, at(5601))
    }

    func testFocusKeepsItPresentAndFocusOutStartsTheCount() {
        var presence = Presence(awayAfter: 600, awayRefresh: 3600, now: start)
        XCTAssertNil(presence.focus(true, at: at(10)))
        XCTAssertNil(presence.awayAt, "focused: present however long no key comes")
        XCTAssertNil(presence.update(at: at(100_000)))
        XCTAssertNil(presence.focus(false, at: at(100_000)))
        XCTAssertEqual(presence.awayAt, at(100_600), "counted from focus out, not from the last key")
        XCTAssertNil(presence.focus(false, at: at(100_300)), "a second focus out does not restart the count")
        XCTAssertEqual(presence.awayAt, at(100_600))
        XCTAssertNil(presence.key(at: at(100_500)), "a key in an unfocused terminal still counts")
        XCTAssertEqual(presence.awayAt, at(101_100))
        XCTAssertEqual(presence.update(at: at(101_100)), .left)
        XCTAssertEqual(presence.focus(true, at: at(200_000)), .returned, "focus in brings it back")
        XCTAssertNil(presence.update(at: at(900_000)))
    }

    func testAwaySyncsAtMostEveryAwayRefresh() {
        var presence = Presence(awayAfter: 600, awayRefresh: 3600, now: start)
        presence.syncStarted(at: at(100))
        XCTAssertTrue(presence.maySync(at: at(101)), "present: no limit")
        XCTAssertNil(presence.earliestAwaySync)
        XCTAssertEqual(presence.update(at: at(600)), .left)
        XCTAssertFalse(presence.maySync(at: at(3699)))
        XCTAssertEqual(presence.earliestAwaySync, at(3700))
        XCTAssertTrue(presence.maySync(at: at(3700)))
        presence.syncStarted(at: at(3700))
        XCTAssertFalse(presence.maySync(at: at(7299)))
        XCTAssertTrue(presence.maySync(at: at(7300)))
    }

    func testAwayRefreshZeroNeverSyncsWhileAway() {
        var presence = Presence(awayAfter: 2, awayRefresh: 0, now: start)
        XCTAssertEqual(presence.update(at: at(2)), .left)
        XCTAssertNil(presence.earliestAwaySync)
        XCTAssertFalse(presence.maySync(at: at(10_000_000)))
        XCTAssertEqual(presence.key(at: at(10_000_000)), .returned)
        XCTAssertTrue(presence.maySync(at: at(10_000_000)))
    }

    func testNeverSyncedMaySyncOnceAwayRefreshAllows() {
        var presence = Presence(awayAfter: 60, awayRefresh: 3600, now: start)
        XCTAssertEqual(presence.update(at: at(60)), .left)
        XCTAssertTrue(presence.maySync(at: at(61)), "no sync yet in this process: the first one may run")
    }
}
