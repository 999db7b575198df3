import Foundation
import GRDB
import Synchronization
import TallyCore
import TallyTestSupport
import XCTest

/// `CacheStore.write` waits for another program's writes (`WriteCourtesy`), told from its own
/// by the writer connection's `data_version`, not only by file times, and writes right after
/// the other program's burst of commits ends.
final class WriteCourtesyTests: XCTestCase {
    func elapsed(_ body: () async throws -> Void) async rethrows -> TimeInterval {
        let start = Date()
        try await body()
        return Date().timeIntervalSince(start)
    }

    /// The WorkOS server's DELETE that begins a rewrite right after one of Tally's commits
    /// carries a file time that reads as Tally's own on a coarse clock; it is waited for all
    /// the same, and nothing is waited for when nobody else wrote.
    func testACommitRightAfterTallysIsWaitedFor() async throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let other = try DatabaseQueue(path: store.path)
        try await store.write { db in try CacheMeta.set(db, "tally.test", "1") }
        try await other.write { db in try db.execute(sql: "DELETE FROM cached_tasks") }
        let waited = try await elapsed { try await store.write { db in try CacheMeta.set(db, "tally.test", "2") } }
        XCTAssertGreaterThanOrEqual(waited, store.courtesy.quiet * 0.8, "the other program's commit was waited for")

        let alone = try await elapsed { try await store.write { db in try CacheMeta.set(db, "tally.test", "3") } }
        XCTAssertLessThan(alone, store.courtesy.quiet * 0.5, "nobody else wrote since")
        try other.close()
    }

    /// Two Tally processes (each marks its writes) share SQLite's busy timeout instead of waiting.
    func testAnotherTallyProcessIsNotWaitedFor() async throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        let peer = try CacheStore(path: store.path)
        try await store.write { db in try CacheMeta.set(db, "tally.test", "1") }
        try await peer.write { db in try CacheMeta.set(db, "tally.peer", "1") }
        let waited = try await elapsed { try await store.write { db in try CacheMeta.set(db, "tally.test", "2") } }
        XCTAssertLessThan(waited, store.courtesy.quiet * 0.5)
    }

    /// A writer that rewrites a table as the WorkOS server does (a DELETE, then one autocommitted
    /// INSERT per row, with no busy timeout, then its `lastSyncAt`) and pauses about half a second
    /// between rewrites: Tally's writes meanwhile land right after a rewrite ends, and none of the
    /// writer's statements meets Tally's lock. (A fixed half second of quiet met the next rewrite
    /// as it began.)
    func testWritesLandRightAfterAWritersBurstAndNeverMeetItsNext() async throws {
        let dir = TempDirectory()
        let store = try CacheStore(path: dir.file("cache.db"))
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        let other = try DatabaseQueue(path: store.path, configuration: configuration)
        let failures = Counter()
        let rewrites = 12
        let writer = Thread {
            for rewrite in 0..<rewrites {
                var statement = 0
                do {
                    try other.writeWithoutTransaction { db in
                        try db.execute(sql: "DELETE FROM cached_clients")
                        for id in 1...120 {
                            statement = id
                            try db.execute(sql: "INSERT INTO cached_clients (id, name, created_at) VALUES (?, ?, '2026-01-01T00:00:00.000Z')",
                                           arguments: [id, "client \(rewrite)-\(id)"])
                        }
                        // Its last statement, as the WorkOS server's sync ends.
                        statement = 121
                        try db.execute(sql: """
                            INSERT INTO cache_meta (key, value, updated_at) VALUES ('lastSyncAt', ?, ?)
                            ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                            """, arguments: [Timestamp.format(Date()), Timestamp.format(Date())])
                    }
                } catch {
                    failures.add("rewrite \(rewrite), statement \(statement) of 121 at \(Timestamp.format(Date())): \(error)")
                }
                Thread.sleep(forTimeInterval: 0.45)
            }
            failures.finish()
        }
        writer.start()
        var written = 0
        var writes: [String] = []
        while !failures.isFinished {
            // Tally writes now and then (a sync's chunk, a completion), at no particular moment.
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...350)))
            let tick = String(written)
            let begun = Timestamp.format(Date())
            try await store.write { db in try CacheMeta.set(db, "tally.tick", tick) }
            writes.append("\(begun)–\(Timestamp.format(Date()))")
            written += 1
        }
        XCTAssertEqual(failures.count, 0, "the writer's statements never met Tally's lock: \(failures.messages); Tally's writes: \(writes)")
        XCTAssertGreaterThanOrEqual(written, rewrites / 2, "Tally still wrote in the pauses")
    }
}

/// A count shared with the writer's thread, with what failed.
final class Counter: Sendable {
    private let state = Mutex((count: 0, finished: false, messages: [String]()))

    func add(_ message: String = "") {
        state.withLock {
            $0.count += 1
            $0.messages.append(message)
        }
    }
    func finish() { state.withLock { $0.finished = true } }
    var count: Int { state.withLock { $0.count } }
    var isFinished: Bool { state.withLock { $0.finished } }
    var messages: [String] { state.withLock { $0.messages } }
}
