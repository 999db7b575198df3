import Foundation
import TallyCore
import XCTest

/// The one cleaner for terminal text, JSON's escapes, and password masking in every URL shape.
final class TextSafetyTests: XCTestCase {
    /// No C0 (but tab and newline where kept), no DEL, no C1, no escape sequence's remains.
    static func assertTerminalSafe(_ text: String, _ label: String = "", file: StaticString = #filePath, line: UInt = #line) {
        for scalar in text.unicodeScalars {
            let v = scalar.value
            XCTAssertFalse(v < 0x20 && v != 0x09 && v != 0x0a, "\(label): C0 U+\(String(v, radix: 16)) in \(text.debugDescription)",
                           file: file, line: line)
            XCTAssertFalse((0x7f...0x9f).contains(v), "\(label): C1/DEL U+\(String(v, radix: 16)) in \(text.debugDescription)",
                           file: file, line: line)
        }
    }

    func testEscapeSequencesOfEveryKindAreRemovedWhole() {
        let cases: [(String, String)] = [
            ("Acme\u{1b}]0;owned\u{07}\u{1b}[2J Corp", "Acme Corp"),            // OSC title, then clear screen
            ("a\u{1b}]52;c;aGVsbG8=\u{1b}\\b", "ab"),                           // OSC 52 (clipboard) ended by ST
            ("a\u{9b}2Jb", "ab"),                                                // C1 CSI
            ("a\u{9d}0;title\u{9c}b", "ab"),                                      // C1 OSC ended by C1 ST
            ("a\u{90}q\u{1b}\\b", "ab"),                                          // C1 DCS
            ("a\u{1b}(Bb", "ab"),                                                 // ESC ( B
            ("a\u{1b}cb", "ab"),                                                  // ESC c (reset)
            ("tab\there\nnew\rline", "tab here new line"),
            ("bidi\u{202e}txt", "biditxt"),
            ("emoji 🧘 and 日本", "emoji 🧘 and 日本"),
            ("\u{1b}[31", ""),                                                     // cut short
        ]
        for (input, expected) in cases {
            let clean = TextSafety.sanitize(input)
            XCTAssertEqual(clean, expected, input.debugDescription)
            Self.assertTerminalSafe(clean, input.debugDescription)
        }
        XCTAssertEqual(TextSafety.sanitize("id\tname\u{1b}[2J", keepingTabs: true), "id\tname")
    }

    func testATerminalLineIsCleanedThenMasked() {
        let line = TextSafety.terminalLine("No client named \"x\"; clients: \u{1b}]0;pwned\u{07}Acme, postgres://u:hunter2@h/db")
        XCTAssertEqual(line, "No client named \"x\"; clients: Acme, postgres://u:***@h/db")
    }

    func testJSONOutputEscapesC1AndSeparators() throws {
        let title = "C1 \u{9b}2J, DEL \u{7f}, NEL \u{85}, LS \u{2028}, RLO \u{202e}, é"
        let json = JSONOutput.string(["title": title])
        Self.assertTerminalSafe(json, "JSON")
        XCTAssertTrue(json.contains(#"\u009b"#) && json.contains(#"\u007f"#) && json.contains(#"\u2028"#), json)
        let decoded = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        XCTAssertEqual(decoded["title"], title, "the escapes mean the same characters")
    }

    /// Each shape a primary URL (or a message quoting one) comes in: the password never survives.
    func testMaskingFindsThePasswordInAnyShape() {
        let cases: [(String, String)] = [
            ("postgres://tally:secret@db.example.com:5432/work", "postgres://tally:***@db.example.com:5432/work"),
            ("user:secret@host/db", "user:***@host/db"),
            ("DATABASE_URL=user:secret@host/db", "DATABASE_URL=user:***@host/db"),
            ("weird+scheme://u:secret@h", "weird+scheme://u:***@h"),
            ("postgres://u:se/cret@h/db", "postgres://u:***@h/db"),
            ("postgres://u:p@ss@h/db", "postgres://u:***@h/db"),
            ("Bad primary URL postgres://u:my secret@h/db (from --primary)", "Bad primary URL postgres://u:***@h/db (from --primary)"),
            ("postgres://h/db?user=u&password=secret&sslmode=require", "postgres://h/db?user=u&password=***&sslmode=require"),
            ("host=db user=u password=secret dbname=work", "host=db user=u password=*** dbname=work"),
            ("'postgres://u:secret@h' and \"mysql://a:secret@b\"", "'postgres://u:***@h' and \"mysql://a:***@b\""),
            ("postgres://u:p@h:6000/db?application_name=a@b", "postgres://u:***@h:6000/db?application_name=a@b"),
        ]
        for (text, expected) in cases {
            let masked = SecretMask.apply(text)
            XCTAssertEqual(masked, expected, text)
            XCTAssertFalse(masked.contains("secret") || masked.contains("cret"), masked)
        }
        for plain in ["tally: No cache at /tmp/x.db", "postgres://tally@host:5432/db", "sqlite:///home/me/p.db",
                      "12:30 on 2026-01-02", "postgres://host:5432/db (from config)"] {
            XCTAssertEqual(SecretMask.apply(plain), plain)
        }
    }

    /// A URL without a scheme is never echoed: there is no telling the password from the host.
    func testABadURLWithoutASchemeIsNotShown() {
        for text in ["user:secret@host/db", "secret", "host=db password=secret"] {
            XCTAssertThrowsError(try PrimaryLocation(parsing: text)) { error in
                XCTAssertFalse(error.userMessage.contains("secret"), error.userMessage)
                XCTAssertTrue(error.userMessage.contains("no scheme"), error.userMessage)
            }
        }
    }
}
