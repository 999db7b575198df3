import XCTest
import TallyCore
@testable import TallyUI

/// What `r` offers in the failures view when no failure is selected: the newest job when it
/// failed, and nothing once a later job ran.
final class FailuresRetryTests: XCTestCase {
    func detail(_ jobs: [SyncJob]) -> String {
        var snapshot = Fixtures.snapshot()
        snapshot.failures = []
        snapshot.unresolvedFailures = 0
        snapshot.recentJobs = jobs
        return Fixtures.render(snapshot, state: ViewState(view: .failures), width: 100, height: 30).plainText()
    }

    func testALaterJobThatRanTakesAFailedOnesPlace() {
        let failed = Fixtures.job(2, .manual, .failed, startedAgo: 600, seconds: 3, rows: 0, error: "connection refused")
        let retried = Fixtures.job(3, .manual, .completed, startedAgo: 300, seconds: 1, rows: 12)
        XCTAssertTrue(detail([failed]).contains("r resumes job #2 (failed)."))
        let after = detail([retried, failed])
        XCTAssertTrue(after.contains("Nothing to retry."), after)
        XCTAssertFalse(after.contains("resumes job #2"), after)
        // A job running now does not hide the failed one it may be resuming.
        let running = Fixtures.job(4, .resume, .running, startedAgo: 5, seconds: 0, rows: 0)
        XCTAssertTrue(detail([running, failed]).contains("r resumes job #2 (failed)."))
    }
}
