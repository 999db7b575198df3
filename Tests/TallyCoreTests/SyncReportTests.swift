import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// What a sync reports: rows it wrote (not rows it looked at again), and a missing primary file
/// as a failure for a person rather than a network fault to retry.
final class SyncReportTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!

    override func setUp() async throws {
        let files = try DemoFiles(tasks: 200, days: 20)
        (dir, primary, cache) = (files.dir, files.primary, files.cache)
    }

    func engine() -> SyncEngine {
        var options = SyncOptions()
        options.baseDelay = 0.01
        options.scope = .everything
        return SyncEngine(cache: cache, primary: primary, options: options)
    }

    func testASyncThatFindsNothingNewWritesNoRows() async throws {
        let first = try await engine().run(kind: .warmup)
        XCTAssertGreaterThan(first.job.rowsWritten, 200)
        // Rows changed just now are inside every incremental sync's lookback: read again, not written.
        try primary.write { db in try db.execute(sql: "UPDATE tasks SET title = title || '!' WHERE id IN (1, 2)") }
        let second = try await engine().run(kind: .manual)
        XCTAssertEqual(second.job.rowsWritten, 2)
        let third = try await engine().run(kind: .manual)
        XCTAssertGreaterThanOrEqual(third.job.rowsFetched, 2, "the lookback reads the two rows again")
        XCTAssertEqual(third.job.rowsWritten, 0, "and writes nothing")
    }

    func testAMissingPrimaryFileIsNotRetried() async throws {
        try await engine().run(kind: .warmup)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir.file("primary.db") + suffix) }
        // Its directory gone too, so SQLite cannot make a new file there either.
        let moved = dir.file("gone")
        try FileManager.default.createDirectory(atPath: moved, withIntermediateDirectories: true)
        let lost = try SQLitePrimary(path: moved + "/primary.db", create: true)
        try FileManager.default.removeItem(atPath: moved)
        var options = SyncOptions()
        options.baseDelay = 0.01
        let summary = try await SyncEngine(cache: cache, primary: lost, options: options).run(kind: .manual)
        XCTAssertFalse(summary.succeeded)
        let failures = try cache.readNow { db in try SyncFailure.fetchAll(db, sql: "SELECT * FROM tally_sync_failures") }
        XCTAssertFalse(failures.isEmpty)
        for failure in failures {
            XCTAssertEqual(failure.attempt, 1, "not retried: \(failure.message)")
            XCTAssertEqual(failure.type, .internal)
            XCTAssertTrue(failure.message.contains("is missing (moved or deleted)"), failure.message)
        }
    }
}
