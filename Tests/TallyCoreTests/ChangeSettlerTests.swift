import Foundation
import TallyCore
import XCTest

/// When a change another program made to the cache is shown (see `ChangeSettler`).
final class ChangeSettlerTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }
    let full: [Namespace: Int] = [.clients: 6, .tasks: 150, .goals: 30, .habits: 8]

    func testASingleWriteShowsOnceTheFileIsQuiet() {
        var settler = ChangeSettler()
        XCTAssertFalse(settler.isSettling)
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.tasks: 151]) { $1 }, shown: full)
        XCTAssertTrue(settler.isSettling)
        XCTAssertFalse(settler.shouldShow(at: at(0.05)))
        XCTAssertTrue(settler.shouldShow(at: at(0.15)), "a single outside write shows within half a second")
        settler.shown()
        XCTAssertFalse(settler.isSettling)
    }

    func testARewriteIsHeldBackUntilItsLastRow() {
        var settler = ChangeSettler()
        // DELETE, then one INSERT per row, a few milliseconds apart.
        var t = 0.0
        settler.changed(at: at(t))
        settler.observe(counts: full.merging([.tasks: 0]) { $1 }, shown: full)
        for row in 1...150 {
            t += 0.004
            settler.changed(at: at(t))
            settler.observe(counts: full.merging([.tasks: row]) { $1 }, shown: full)
            XCTAssertFalse(settler.shouldShow(at: at(t + 0.003)), "row \(row)")
        }
        // A pause between two rows longer than the quiet of a single write is not the end.
        XCTAssertFalse(settler.shouldShow(at: at(t + 0.3)))
        XCTAssertTrue(settler.shouldShow(at: at(t + 0.6)), "the finished rewrite shows within a second of its last write")
    }

    /// A cache whose `lastSyncAt` another program writes (the WorkOS server, which writes it
    /// last): a pause mid-rewrite, however long, is not the end; the marker moving is.
    func testARewriteOfAWriterThatMarksItsEndIsHeldBackUntilTheMarkerMoves() {
        var settler = ChangeSettler()
        let before = ChangeSettler.SyncMarks(lastSyncAt: "2026-12-06T02:00:00.000Z", tallys: nil)
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.tasks: 0]) { $1 }, shown: full, marks: before)
        settler.changed(at: at(0.5))
        settler.observe(counts: full.merging([.tasks: 60]) { $1 }, shown: full, marks: before)
        // A busy machine stalls the writer for two seconds between two rows.
        XCTAssertFalse(settler.shouldShow(at: at(2.5)), "a stall mid-rewrite is not its end")
        settler.changed(at: at(2.6))
        settler.observe(counts: full, shown: full,
                        marks: ChangeSettler.SyncMarks(lastSyncAt: "2026-12-06T02:00:03.000Z", tallys: nil))
        XCTAssertFalse(settler.shouldShow(at: at(2.65)))
        XCTAssertTrue(settler.shouldShow(at: at(2.75)), "the marker moved: the rewrite is over")
        settler.shown()
        // Without the marker moving, it is shown after a long stall, and always after giveUp.
        settler.changed(at: at(10))
        settler.observe(counts: full.merging([.tasks: 3]) { $1 }, shown: full, marks: before)
        XCTAssertFalse(settler.shouldShow(at: at(11)))
        XCTAssertTrue(settler.shouldShow(at: at(13.1)))
    }

    /// The marker Tally's own sync wrote says nothing of another writer's rewrites.
    func testTallysOwnMarkerIsNotAnotherWritersSignal() {
        var settler = ChangeSettler()
        let own = ChangeSettler.SyncMarks(lastSyncAt: "2026-12-06T02:00:00.000Z", tallys: "2026-12-06T02:00:00.000Z")
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.tasks: 10]) { $1 }, shown: full, marks: own)
        XCTAssertFalse(settler.rewriterMarksItsEnd)
        XCTAssertTrue(settler.shouldShow(at: at(0.6)), "a deletion by another program shows after the rewrite quiet")
    }

    func testAWriterThatNeverPausesIsStillShown() {
        var settler = ChangeSettler()
        var t = 0.0
        while t < 0.99 {
            settler.changed(at: at(t))
            settler.observe(counts: full.merging([.tasks: 150 + Int(t * 100)]) { $1 }, shown: full)
            XCTAssertFalse(settler.shouldShow(at: at(t)))
            t += 0.01
        }
        settler.changed(at: at(1.0))
        XCTAssertTrue(settler.shouldShow(at: at(1.0)), "an appending writer is shown every second")
    }

    func testATableThatStaysSmallerIsShownInTheEnd() {
        var settler = ChangeSettler()
        var t = 0.0
        while t < 10 {
            settler.changed(at: at(t))
            settler.observe(counts: full.merging([.tasks: 3]) { $1 }, shown: full)
            t += 0.1
        }
        XCTAssertTrue(settler.shouldShow(at: at(10)))
    }

    /// One commit since the screen's state that shrank nothing is shown at the look that saw
    /// it, without waiting for quiet.
    func testALoneCommitShowsAtOnce() {
        var settler = ChangeSettler()
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.tasks: 151]) { $1 }, shown: full, commits: 1)
        XCTAssertTrue(settler.isLoneCommit)
        XCTAssertTrue(settler.shouldShow(at: at(0)), "a lone insert shows at once")
        settler.shown()
        // An update changes no count.
        settler.changed(at: at(1))
        settler.observe(counts: full, shown: full, commits: 1)
        XCTAssertTrue(settler.shouldShow(at: at(1)), "a lone update shows at once")
    }

    /// Two commits since the screen's state may be a writer mid-burst: quiet is waited for.
    func testMoreThanOneCommitWaitsForQuiet() {
        var settler = ChangeSettler()
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.tasks: 152]) { $1 }, shown: full, commits: 2)
        XCTAssertFalse(settler.isLoneCommit)
        XCTAssertFalse(settler.shouldShow(at: at(0.05)))
        XCTAssertTrue(settler.shouldShow(at: at(0.15)))
    }

    /// Uncounted commits (no write-ahead log index to read) keep the quiet rule.
    func testUncountedCommitsWaitForQuiet() {
        var settler = ChangeSettler()
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.tasks: 151]) { $1 }, shown: full, commits: nil)
        XCTAssertFalse(settler.shouldShow(at: at(0.05)))
        XCTAssertTrue(settler.shouldShow(at: at(0.15)))
    }

    /// A rewrite's first commit is its DELETE: one commit, but a table shrank; it is held back
    /// like any rewrite, and the INSERTs after it are more than one commit from the screen.
    func testARewritesFirstCommitIsNotALoneCommit() {
        var settler = ChangeSettler()
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.clients: 0]) { $1 }, shown: full, commits: 1)
        XCTAssertFalse(settler.shouldShow(at: at(0)))
        XCTAssertFalse(settler.shouldShow(at: at(0.15)), "a shrunk table waits for the rewrite quiet")
        var t = 0.0
        for row in 1...6 {
            t += 0.002
            settler.changed(at: at(t))
            settler.observe(counts: full.merging([.clients: row]) { $1 }, shown: full, commits: 1 + row)
            XCTAssertFalse(settler.shouldShow(at: at(t)), "client row \(row)")
        }
        // The clients are whole again, the tasks not yet deleted: still not a lone commit.
        settler.changed(at: at(t + 0.002))
        settler.observe(counts: full, shown: full, commits: 7)
        XCTAssertFalse(settler.shouldShow(at: at(t + 0.002)))
    }

    /// A table empty on screen gets its first row: a rewrite's first INSERT looks like that
    /// (its DELETE of an empty table committed nothing), so it is not shown at once.
    func testTheFirstRowOfAnEmptyTableIsNotALoneCommit() {
        var settler = ChangeSettler()
        let shown = full.merging([.habits: 0]) { $1 }
        settler.changed(at: at(0))
        settler.observe(counts: full.merging([.habits: 1]) { $1 }, shown: shown, commits: 1)
        XCTAssertFalse(settler.isLoneCommit)
        XCTAssertFalse(settler.shouldShow(at: at(0)))
        settler.shown()
        let oneHabit = full.merging([.habits: 1]) { $1 }
        settler.changed(at: at(1))
        settler.observe(counts: oneHabit.merging([.tasks: 151]) { $1 }, shown: oneHabit, commits: 1)
        XCTAssertTrue(settler.shouldShow(at: at(1)), "what was held is forgotten once shown")
    }

    func testFileIdentityTellsAReplacedFileApart() throws {
        let dir = NSTemporaryDirectory() + "settler-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/cache.db"
        XCTAssertNil(FileIdentity.of(path))
        _ = FileManager.default.createFile(atPath: path, contents: Data("a".utf8))
        let first = try XCTUnwrap(FileIdentity.of(path))
        XCTAssertEqual(FileIdentity.of(path), first)
        _ = FileManager.default.createFile(atPath: dir + "/other", contents: Data("b".utf8))
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: dir + "/other", toPath: path)
        XCTAssertNotEqual(FileIdentity.of(path), first)
    }
}
