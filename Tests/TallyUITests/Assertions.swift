import Foundation
import XCTest
@testable import TallyUI

/// Compares a buffer's text (trailing spaces trimmed) with the expected screen, and on a
/// mismatch shows the first differing line and writes the screen drawn to
/// `tally-screens/<test>.txt` in the temporary directory, ready to paste.
func assertScreen(_ buffer: Buffer, _ expected: String, file: StaticString = #filePath, line: UInt = #line,
                  function: String = #function) {
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
    let directory = ProcessInfo.processInfo.environment["TALLY_SCREENS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        ?? NSTemporaryDirectory() + "tally-screens"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let saved = directory + "/" + function.replacingOccurrences(of: "()", with: "") + ".txt"
    try? actual.write(toFile: saved, atomically: true, encoding: .utf8)
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var first = 0
    while first < min(actualLines.count, expectedLines.count), actualLines[first] == expectedLines[first] { first += 1 }
    let got = first < actualLines.count ? String(actualLines[first]) : "<none>"
    let wanted = first < expectedLines.count ? String(expectedLines[first]) : "<none>"
    // Only the first difference: swift-corelibs-xctest drops a failure message of more than
    // about 8 KB whole, and a screen is that big. The whole screen drawn is in the file.
    XCTFail("screen differs at line \(first + 1) (the screen drawn is in \(saved)):\n  got:  \(got)\n  want: \(wanted)\n",
            file: file, line: line)
}

/// The rows of a buffer as plain text, trailing spaces trimmed.
func rows(_ buffer: Buffer) -> [String] {
    buffer.plainText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}
