import Foundation
import TallyTestSupport
import XCTest

@testable import TallyCore

/// `tally.log` stays bounded: past its limit it becomes `tally.log.1` and a new file starts.
final class LogFileTests: XCTestCase {
    func testTheLogIsRotatedPastItsLimit() throws {
        let dir = TempDirectory()
        let path = dir.file("tally.log")
        let sink = FileLogHandler.Sink(path: path, limit: 10_000)
        let line = String(repeating: "x", count: 99) + "\n"
        for _ in 0..<1000 { sink.write(line) }  // 100 KB written in all
        let size = { (file: String) -> Int in
            ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? -1
        }
        XCTAssertLessThanOrEqual(size(path), 10_000)
        XCTAssertLessThanOrEqual(size(path + ".1"), 10_100)
        XCTAssertGreaterThan(size(path + ".1"), 0, "the old part is kept once")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".2"))
        // Each file holds whole lines.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.split(separator: "\n").allSatisfy { $0.count == 99 })
        // A new process finds a file past the limit and starts a new one at once.
        try Data(repeating: 0x41, count: 20_000).write(to: URL(fileURLWithPath: path))
        let next = FileLogHandler.Sink(path: path, limit: 10_000)
        next.write("fresh\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "fresh\n")
        XCTAssertEqual(size(path + ".1"), 20_000)
    }

    /// The log is not written through a symlink planted at its name.
    func testTheLogDoesNotFollowASymlink() throws {
        let dir = TempDirectory()
        let target = dir.file("elsewhere")
        try FileManager.default.createSymbolicLink(atPath: dir.file("tally.log"), withDestinationPath: target)
        FileLogHandler.Sink(path: dir.file("tally.log")).write("line\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }
}
