import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `CacheStore.write` waits for another program's writes (`WriteCourtesy`), told from its own
/// by the writer connection's `data_version`, not only by file times.
final class WriteCourtesyTests: XCTestCase {
    func elapsed(_ body: () throws -> Void) rethrows -> TimeInterval {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    /// The WorkOS server's DELETE that begins a rewrite right after one of Tally's commits
    /// carries a file time that reads as Tally's own on a coarse clock; it is waited for all
    /// the same, and nothing is waited for when nobody else wrote.
    func testACommitRightAfterTallysIsWaitedFor() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        store.courtesy.quiet = 0.4
        let other = try DatabaseQueue(path: store.path)
        try store.write { db in try CacheMeta.set(db, "tally.test", "1") }
        try other.write { db in try db.execute(sql: "DELETE FROM cached_tasks") }
        let waited = try elapsed { try store.write { db in try CacheMeta.set(db, "tally.test", "2") } }
        XCTAssertGreaterThanOrEqual(waited, 0.3, "the other program's commit was waited for")

        let alone = try elapsed { try store.write { db in try CacheMeta.set(db, "tally.test", "3") } }
        XCTAssertLessThan(alone, 0.2, "nobody else wrote since")
        try other.close()
    }

    /// Two Tally processes (each marks its writes) share SQLite's busy timeout instead of waiting.
    func testAnotherTallyProcessIsNotWaitedFor() throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let peer = try CacheStore(path: store.path)
        store.courtesy.quiet = 0.4
        try store.write { db in try CacheMeta.set(db, "tally.test", "1") }
        usleep(20_000)
        try peer.write { db in try CacheMeta.set(db, "tally.peer", "1") }
        let waited = try elapsed { try store.write { db in try CacheMeta.set(db, "tally.test", "2") } }
        XCTAssertLessThan(waited, 0.2)
    }
}
