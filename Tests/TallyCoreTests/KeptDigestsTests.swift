import Foundation
import GRDB
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The cache's id digests kept beside it by `tally sync` (docs/ARCHITECTURE.md, "Digests kept
/// beside the cache"): the next sync takes them instead of scanning only while no program has
/// committed since, and a primary's deletion is found either way.
final class KeptDigestsTests: XCTestCase {
    var dir: TempDirectory!
    var primary: SQLitePrimary!
    var cache: CacheStore!

    override func setUp() async throws {
        let files = try DemoFiles(tasks: 600, days: 60)
        (dir, primary, cache) = (files.dir, files.primary, files.cache)
    }

    func engine(_ store: CacheStore? = nil) -> SyncEngine {
        var options = SyncOptions()
        options.scope = .everything
        options.verifyEvery = 0
        return SyncEngine(cache: store ?? cache, primary: primary, options: options, sleep: { _ in })
    }

    /// What the cache's tables hold now, scanned.
    func scanned(_ store: CacheStore? = nil) throws -> [Namespace: IDDigest] {
        try (store ?? cache).readNow { db in
            var digests: [Namespace: IDDigest] = [:]
            for namespace in SyncEngine.comparedByDigest(Namespace.allCases) { digests[namespace] = try CacheRows.idDigest(namespace, db) }
            return digests
        }
    }

    func keptFile(_ store: CacheStore? = nil) -> KeptDigests? {
        let path = KeptDigests.path(for: (store ?? cache).path)
        return FileManager.default.contents(atPath: path).flatMap { KeptDigests(text: String(decoding: $0, as: UTF8.self)) }
    }

    func assertAgree(_ store: CacheStore? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        for namespace in Namespace.allCases {
            let sql = "SELECT \(namespace.columns.joined(separator: ", ")) FROM %@ ORDER BY id"
            let p = try primary.read { db in try Row.fetchAll(db, sql: sql.replacingOccurrences(of: "%@", with: namespace.primaryTable)).map { Array($0.databaseValues) } }
            let c = try (store ?? cache).readNow { db in try Row.fetchAll(db, sql: sql.replacingOccurrences(of: "%@", with: namespace.cacheTable)).map { Array($0.databaseValues) } }
            let differing = zip(p, c).filter { $0 != $1 }.map { $0.0.first?.description ?? "" }
            XCTAssertEqual(p.count, c.count, "\(namespace) rows", file: file, line: line)
            XCTAssertEqual(differing, [], "\(namespace) rows that differ (by id)", file: file, line: line)
        }
    }

    /// A full sync, then an incremental one whose digests are kept.
    func syncAndKeep() async throws {
        try await engine().run(kind: .full, full: true)
        let summary = try await engine().run(kind: .manual, keepingDigests: true)
        XCTAssertFalse(summary.usedKeptDigests, "nothing was kept yet")
        let pending = try XCTUnwrap(summary.digestsToKeep)
        XCTAssertEqual(pending.digests, try scanned(), "what the job ended with is what the tables hold")
        let kept = await cache.keepDigests(pending)
        XCTAssertTrue(kept)
    }

    func testASyncKeepsItsDigestsAndTheNextTakesThemInsteadOfScanning() async throws {
        try await engine().run(kind: .full, full: true)
        let unasked = try await engine().run(kind: .manual)
        XCTAssertNil(unasked.digestsToKeep, "only a job asked to keep them offers them")

        try await syncAndKeep()
        let kept = try XCTUnwrap(keptFile())
        XCTAssertEqual(kept.digests, try scanned())
        XCTAssertEqual(Set(kept.digests.keys), [.goals, .habits, .tasks])

        try primary.write { db in
            try db.execute(sql: "UPDATE tasks SET title = 'Renamed elsewhere', updated_at = '2099-01-01T00:00:00.000Z' WHERE id = 5")
        }
        let next = try await engine().run(kind: .manual, keepingDigests: true)
        XCTAssertTrue(next.succeeded)
        XCTAssertTrue(next.usedKeptDigests)
        XCTAssertEqual(next.deleted, 0)
        XCTAssertEqual(next.digestsToKeep?.digests, try scanned())
        try assertAgree()
    }

    /// The kept digests stand for the cache's side only: a row the primary deleted still makes
    /// the two differ, and goes.
    func testARowDeletedOnThePrimaryIsFoundWithKeptDigests() async throws {
        try await syncAndKeep()
        try primary.write { db in try db.execute(sql: "DELETE FROM tasks WHERE id IN (8, 9)") }
        let next = try await engine().run(kind: .manual, keepingDigests: true)
        XCTAssertTrue(next.usedKeptDigests)
        XCTAssertEqual(next.deleted, 2)
        XCTAssertNil(next.digestsToKeep, "a job that had to list ids does not vouch for its digests")
        try assertAgree()
    }

    /// Another program deletes a row from the cache and closes (its checkpoint empties the log
    /// into the file): the version moved, so the next sync scans, finds the row missing and
    /// reads it again. Had it taken the kept digests, both sides would have agreed on a cache
    /// that lacks the row.
    func testACommitByAnotherProgramMakesTheNextSyncScan() async throws {
        try await syncAndKeep()
        let other = try DatabaseQueue(path: cache.path)
        try await other.write { db in try db.execute(sql: "DELETE FROM cached_tasks WHERE id = 12") }
        try other.close()

        let next = try await engine().run(kind: .manual, keepingDigests: true)
        XCTAssertTrue(next.succeeded)
        XCTAssertFalse(next.usedKeptDigests)
        try assertAgree()
    }

    /// A commit by another connection while the job ran (here: after it, before its digests
    /// are kept) means they may not describe the cache: nothing is kept.
    func testNothingIsKeptWhenAnotherConnectionCommittedMeanwhile() async throws {
        try await engine().run(kind: .full, full: true)
        let summary = try await engine().run(kind: .manual, keepingDigests: true)
        let pending = try XCTUnwrap(summary.digestsToKeep)
        let other = try DatabaseQueue(path: cache.path)
        try await other.write { db in try db.execute(sql: "UPDATE cached_tasks SET title = 'Edited elsewhere' WHERE id = 3") }
        let kept = await cache.keepDigests(pending)
        XCTAssertFalse(kept)
        XCTAssertNil(keptFile())
        try other.close()
    }

    /// A program that empties the log into the file (here a reader that closes last, as
    /// SQLite's close does) changes the version though no row changed: the next sync scans.
    func testAProgramThatEmptiesTheLogMakesTheNextSyncScan() async throws {
        try await syncAndKeep()
        try cache.close()
        let closingLast = try DatabaseQueue(path: cache.path)
        _ = try await closingLast.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") }
        try closingLast.close()

        let reopened = try await CacheStore.open(path: cache.path)
        let next = try await engine(reopened).run(kind: .manual, keepingDigests: true)
        XCTAssertTrue(next.succeeded)
        XCTAssertFalse(next.usedKeptDigests)
        try assertAgree(reopened)
        try reopened.close()
    }

    /// As `tally sync` runs them: each sync its own process, opening the cache anew and keeping
    /// its digests at the end, with a reader that cannot write (the dashboard's, a `tally
    /// status`) coming and going between them.
    func testTheKeptDigestsOutliveTheCachesCloseAndTheNextOpen() async throws {
        try await syncAndKeep()
        try cache.close()
        var readOnly = Configuration()
        readOnly.readonly = true
        let passing = try DatabaseQueue(path: cache.path, configuration: readOnly)
        _ = try await passing.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks") }
        try passing.close()

        let reopened = try await CacheStore.open(path: cache.path)
        try primary.write { db in
            try db.execute(sql: "UPDATE habits SET current_streak = 42, updated_at = '2099-01-01T00:00:00.000Z' WHERE id = 1")
        }
        let next = try await engine(reopened).run(kind: .manual, keepingDigests: true)
        XCTAssertTrue(next.succeeded)
        XCTAssertTrue(next.usedKeptDigests)
        try assertAgree(reopened)
        let pending = try XCTUnwrap(next.digestsToKeep)
        let kept = await reopened.keepDigests(pending)
        XCTAssertTrue(kept)
        XCTAssertEqual(keptFile(reopened)?.digests, try scanned(reopened))
        try reopened.close()
    }

    func testTheFileIsReadBackAsWrittenAndAForeignOneIsNoFile() throws {
        let version = CacheVersion(device: 1, inode: 2, size: 4096, modified: 1_795_345_200_123_456_789, changeCounter: 3,
                                   pages: 1, walFrames: 0, walSalt1: 0, walSalt2: 0)
        let kept = KeptDigests(version: version, digests: [.tasks: IDDigest(count: 3, sum: 600), .goals: IDDigest(count: 1, sum: -5)])
        XCTAssertEqual(KeptDigests(text: kept.text), kept)
        XCTAssertNil(KeptDigests(text: "tally kept counts 1\nversion \(version)\n"))
        XCTAssertNil(KeptDigests(text: kept.text + "digest tasks 1\n"))
        XCTAssertNil(KeptDigests(text: kept.text.replacingOccurrences(of: "digest tasks 3", with: "digest tasks -3")))
    }
}
