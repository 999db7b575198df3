import Foundation
import XCTest
@testable import TallyUI

/// Compares a buffer's text (trailing spaces trimmed) with the expected screen, and on a
/// mismatch shows both screens and the first differing line.
func assertScreen(_ buffer: Buffer, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    let actual = buffer.plainText()
    guard actual != expected else { return }
    // `TALLY_RECORD_SCREENS=FILE` collects the screens as rendered, for reviewing an intended
    // change of many screens at once (scripts/record-screens.py writes them back).
    if let record = ProcessInfo.processInfo.environment["TALLY_RECORD_SCREENS"],
       let data = try? JSONSerialization.data(withJSONObject: ["file": "\(file)", "line": Int(line), "screen": actual]),
       let handle = FileHandle(forWritingAtPath: record) ?? {
           _ = FileManager.default.createFile(atPath: record, contents: nil)
           return FileHandle(forWritingAtPath: record)
       }() {
        handle.seekToEndOfFile()
        handle.write(data + Data("\n".utf8))
        handle.closeFile()
    }
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var first = 0
    while first < min(actualLines.count, expectedLines.count), actualLines[first] == expectedLines[first] { first += 1 }
    let got = first < actualLines.count ? String(actualLines[first]) : "<none>"
    let wanted = first < expectedLines.count ? String(expectedLines[first]) : "<none>"
    XCTFail("screen differs at line \(first + 1):\n  got:  \(got)\n  want: \(wanted)\n--- got ---\n\(actual)\n--- want ---\n\(expected)",
            file: file, line: line)
}

/// The rows of a buffer as plain text, trailing spaces trimmed.
func rows(_ buffer: Buffer) -> [String] {
    buffer.plainText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}
