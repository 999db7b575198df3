import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `FileSafety.looksLikeSQLite`: what a cache path may name before SQLite opens it.
final class FileSafetyTests: XCTestCase {
    func testOnlyTheSQLiteHeaderAnEmptyFileOrNoFileLookLikeSQLite() throws {
        let dir = TempDirectory()
        let database = dir.file("cache.db")
        try DatabaseQueue(path: database).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        XCTAssertTrue(FileSafety.looksLikeSQLite(database))
        XCTAssertTrue(FileSafety.looksLikeSQLite(dir.file("missing.db")), "a missing file is the caller's to decide")

        let empty = dir.file("empty.db")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertTrue(FileSafety.looksLikeSQLite(empty), "SQLite makes a database of an empty file")

        for (name, bytes) in [("notes.txt", Array("tasks: 3\nclients: 1\n".utf8)),
                              ("short.db", Array("SQLite".utf8)),
                              ("almost.db", Array("SQLite format 2\0 and more".utf8))] {
            let path = dir.file(name)
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            XCTAssertFalse(FileSafety.looksLikeSQLite(path), name)
        }
        XCTAssertFalse(FileSafety.looksLikeSQLite(dir.path), "a directory")
        let fifo = dir.file("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertFalse(FileSafety.looksLikeSQLite(fifo), "a pipe, without blocking on it")
    }
}
