import XCTest
@testable import TallyUI

/// Compares a buffer's text (trailing spaces trimmed) with the expected screen, and on a
/// mismatch shows both screens and the first differing line.
func assertScreen(_ buffer: Buffer, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    let actual = buffer.plainText()
    guard actual != expected else { return }
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
