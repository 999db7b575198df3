import Foundation
import TallyCore

/// Every line a command writes for a person, on stdout or stderr, goes through here: cleaned of
/// control characters and escape sequences and with passwords masked (`TextSafety.terminalLine`),
/// so a client or habit name holding `ESC ] 0;…` or `ESC [ 2J` is printed as text. JSON is
/// written as its encoder made it, with C1 controls escaped (`JSONOutput`).
public enum Console {
    /// One line on stdout. Tabs are kept: they separate a table's columns (clean each field
    /// with `TextSafety.sanitize` first, which turns a tab inside it into a space).
    public static func out(_ line: String) {
        write(STDOUT_FILENO, TextSafety.terminalLine(line, keepingTabs: true) + "\n")
    }

    /// One line on stderr, as it is (no `tally: ` prefix).
    public static func note(_ line: String) {
        write(STDERR_FILENO, TextSafety.terminalLine(line) + "\n")
    }

    /// `tally: <message>` on stderr: an error or a warning.
    public static func error(_ message: String) {
        note("tally: " + message)
    }

    /// Text on stderr without a newline (a question before the answer is read).
    public static func prompt(_ text: String) {
        write(STDERR_FILENO, TextSafety.terminalLine(text))
    }

    /// JSON from `JSONOutput.string` (which escapes every control character) on stdout.
    public static func json(_ text: String) {
        write(STDOUT_FILENO, text + "\n")
    }

    /// Writes all of `text`; a closed stream (a pipe whose reader left) loses it, nothing more.
    static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Foundation.write(descriptor, base + offset, buffer.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
