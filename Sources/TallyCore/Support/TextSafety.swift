/// Text from the cache, a primary or a person is data, never terminal instructions.
///
/// `sanitize` is the one cleaner for everything that reaches a terminal: the screen's cells,
/// every line the commands print on stdout and stderr (through `terminalLine`), the log, and
/// the MCP server's one-line errors. JSON output escapes the same characters instead
/// (`JSONOutput`).
public enum TextSafety {
    /// Removes C0/C1 control characters and whole escape sequences (`ESC [ … final`, OSC up to
    /// its BEL or ST, and their one-character C1 forms such as U+009B), keeping ordinary text,
    /// wide characters and emoji. Newlines, carriage returns and tabs become single spaces
    /// (tabs are kept with `keepingTabs`, for the columns of a command's table).
    public static func sanitize(_ text: String, keepingTabs: Bool = false) -> String {
        var clean = true
        for scalar in text.unicodeScalars where isControl(scalar) && !(keepingTabs && scalar == "\t") {
            clean = false
            break
        }
        if clean { return text }
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            switch scalar.value {
            case 0x1b:
                // ESC: skip the whole sequence up to and including its final character.
                guard let next = iterator.next() else { break }
                switch next {
                case "[": skipControlSequence(&iterator)
                case "]", "P", "_", "^", "X": skipString(&iterator)
                default:
                    // ESC, intermediates (0x20–0x2F), one final character: `ESC ( B`, `ESC c`.
                    var current = next
                    while (0x20...0x2f).contains(current.value), let following = iterator.next() { current = following }
                }
            case 0x9b:
                skipControlSequence(&iterator)
            case 0x90, 0x98, 0x9d, 0x9e, 0x9f:
                skipString(&iterator)
            default:
                if scalar == "\t" && keepingTabs {
                    out.append(scalar)
                } else if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                    out.append(" ")
                } else if !isControl(scalar) {
                    out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// A line for a terminal: `sanitize`d, then every password masked (`SecretMask`).
    public static func terminalLine(_ text: String, keepingTabs: Bool = false) -> String {
        SecretMask.apply(sanitize(text, keepingTabs: keepingTabs))
    }

    /// CSI parameters and intermediates up to the final character (0x40–0x7E).
    static func skipControlSequence(_ iterator: inout String.UnicodeScalarView.Iterator) {
        while let c = iterator.next() {
            if (0x40...0x7e).contains(c.value) { return }
            // A control inside ends the sequence without being printed either.
            if c.value < 0x20 || (0x80...0x9f).contains(c.value) { return }
        }
    }

    /// An OSC, DCS, SOS, PM or APC string up to its terminator: BEL, ST (U+009C) or `ESC \`.
    static func skipString(_ iterator: inout String.UnicodeScalarView.Iterator) {
        while let c = iterator.next() {
            if c == "\u{07}" || c == "\u{9c}" { return }
            if c == "\u{1b}" { _ = iterator.next(); return }
        }
    }

    /// C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidirectional
    /// overrides (which reorder what follows them on a terminal).
    @inline(__always)
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7f...0x9f).contains(v) || v == 0x2028 || v == 0x2029
            || (0x202a...0x202e).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// JSON text with DEL, the C1 controls and the Unicode separators and bidirectional
    /// overrides written as `\uXXXX` escapes (JSON encoders escape only C0). They can appear
    /// only inside strings, so the JSON means the same and a terminal shows it as text.
    public static func escapingControls(json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value >= 0x7f && isControl($0) }) else { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count + 16)
        for scalar in json.unicodeScalars {
            if scalar.value >= 0x7f && isControl(scalar) {
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
