import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// The inotify wake-up (`FileChangeNotifier`) and the log's commit counter
/// (`ChangeWatcher.commitCounter`) on real SQLite files written by other connections.
final class FileChangeNotifierTests: XCTestCase {
    /// Whether `descriptor` becomes readable within `seconds` (a bound for a missing event, not
    /// a measured time).
    func readable(_ descriptor: Int32, within seconds: Double) -> Bool {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        return poll(&fds, 1, Int32(seconds * 1000)) > 0 && fds[0].revents & Int16(POLLIN) != 0
    }

    func makeWAL(_ path: String) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS t (x)")
        }
        return queue
    }

    func testAnotherConnectionsCommitWakesTheDescriptor() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        let writer = try makeWAL(path)
        let notifier = try XCTUnwrap(FileChangeNotifier(path: path, environment: [:]), "inotify on Linux")
        XCTAssertFalse(readable(notifier.fileDescriptor, within: 0.05), "nothing written since")
        XCTAssertFalse(notifier.drain())

        try writer.write { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertTrue(notifier.drain(), "the log was written")
        XCTAssertFalse(notifier.drain(), "every event was read")
        XCTAssertFalse(readable(notifier.fileDescriptor, within: 0.05))

        // Another file in the same directory wakes the descriptor but is not the cache's.
        XCTAssertTrue(FileManager.default.createFile(atPath: dir.file("notes.txt"), contents: Data("x".utf8)))
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertFalse(notifier.drain(), "notes.txt is not the cache")
    }

    /// The log removed when its last connection closes and made anew by the next, and a new file
    /// renamed over the cache, are still seen: the directory is watched, not the files.
    func testALogMadeAnewAndAReplacedFileAreSeen() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        try makeWAL(path).close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "the last connection removed its log")
        let notifier = try XCTUnwrap(FileChangeNotifier(path: path, environment: [:]))

        let writer = try DatabaseQueue(path: path)
        try writer.write { db in try db.execute(sql: "INSERT INTO t VALUES (2)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-wal"))
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertTrue(notifier.drain(), "a commit to a log made anew")
        // A checkpoint that truncates the log writes the file and empties the log.
        _ = try writer.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertTrue(notifier.drain())
        try writer.close()
        _ = notifier.drain()

        try makeWAL(dir.file("other.db")).close()
        _ = notifier.drain()
        try FileManager.default.moveItem(atPath: dir.file("other.db"), toPath: dir.file("moved.db"))
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertFalse(notifier.drain(), "another database moved about is not the cache")
        XCTAssertEqual(rename(dir.file("moved.db"), path), 0)
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertTrue(notifier.drain(), "a file renamed over the cache")
        let replaced = try DatabaseQueue(path: path)
        try replaced.write { db in try db.execute(sql: "INSERT INTO t VALUES (3)") }
        XCTAssertTrue(readable(notifier.fileDescriptor, within: 5))
        XCTAssertTrue(notifier.drain(), "the replacing file's commits")
        try replaced.close()
    }

    func testTallyInotifyZeroLeavesThePollAlone() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        try makeWAL(path).close()
        XCTAssertNil(FileChangeNotifier(path: path, environment: ["TALLY_INOTIFY": "0"]))
        XCTAssertNotNil(FileChangeNotifier(path: path, environment: ["TALLY_INOTIFY": "1"]))
        XCTAssertNil(FileChangeNotifier(path: dir.file("missing/cache.db"), environment: [:]), "no directory to watch")
    }

    /// The counter moves once per commit, whatever a commit holds, and across a checkpoint;
    /// `data_version` only says that something changed.
    func testTheCommitCounterCountsCommits() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        let store = try CacheStore(path: path)
        let watcher = try ChangeWatcher(path: path)
        let start = try XCTUnwrap(watcher.commitCounter())
        let other = try DatabaseQueue(path: path)
        for id in 1...3 {
            try other.write { db in
                try db.execute(sql: "INSERT INTO cached_clients (id, name, type, created_at) VALUES (?, 'C', 'client', 'x')", arguments: [id])
            }
        }
        XCTAssertEqual(watcher.commitCounter().map { $0 &- start }, 3)
        try other.write { db in
            try db.execute(sql: "INSERT INTO cached_clients (id, name, type, created_at) VALUES (10, 'C', 'client', 'x')")
            try db.execute(sql: "INSERT INTO cached_clients (id, name, type, created_at) VALUES (11, 'C', 'client', 'x')")
        }
        XCTAssertEqual(watcher.commitCounter().map { $0 &- start }, 4, "one transaction is one commit")
        _ = try other.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
        try store.writeNow { db in try db.execute(sql: "DELETE FROM cached_clients WHERE id = 11") }
        XCTAssertEqual(watcher.commitCounter().map { $0 &- start }, 5, "a checkpoint keeps the count; this process's commits count")
        try other.close()
    }

    /// Reading the counter keeps this process's locks on the index: another process that opens
    /// the file then finds it in use and leaves it as it is (had the locks gone, it would have
    /// truncated the index under this process's mapping, and the next look died of SIGBUS).
    func testReadingTheCounterLeavesAnotherProcessTheIndexInUse() throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        let store = try CacheStore(path: path)
        let watcher = try ChangeWatcher(path: path)
        XCTAssertTrue(watcher.hasChanged())
        let start = try XCTUnwrap(watcher.commitCounter())
        for id in 1...2 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("INSERT INTO cached_clients (id, name, type, created_at) VALUES (?, 'C', 'client', 'x')", (int(sys.argv[2]),))
                db.commit()
                db.close()
                """, path, "\(id)"]
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            XCTAssertTrue(watcher.hasChanged(), "the other process's commit \(id)")
            XCTAssertEqual(watcher.commitCounter().map { $0 &- start }, UInt32(id))
        }
        XCTAssertEqual(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_clients") }, 2)
    }

    func testNoCounterWithoutAWriteAheadLog() throws {
        let dir = TempDirectory()
        let path = dir.file("plain.db")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
        let watcher = try ChangeWatcher(path: path)
        XCTAssertNil(watcher.commitCounter(), "a rollback-journal file has no index to read")
        try queue.close()
    }
}
