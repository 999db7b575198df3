/// Text from the cache is data, never terminal instructions.
public enum TextSafety {
    /// Removes C0/C1 control characters and whole escape sequences (`ESC [ … final`), keeping
    /// ordinary text, wide characters and emoji. Tabs and newlines become single spaces.
    public static func sanitize(_ text: String) -> String {
        var clean = true
        for scalar in text.unicodeScalars where isControl(scalar) { clean = false; break }
        if clean { return text }
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1b}" {
                // Skip a CSI/OSC/other escape sequence up to and including its final byte.
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next() { if (0x40...0x7e).contains(c.value) { break } }
                } else if next == "]" || next == "P" || next == "_" || next == "^" {
                    while let c = iterator.next() {
                        if c == "\u{07}" { break }
                        if c == "\u{1b}" { _ = iterator.next(); break }
                    }
                }
                continue
            }
            if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                out.append(" ")
            } else if !isControl(scalar) {
                out.append(scalar)
            }
        }
        return String(out)
    }

    @inline(__always)
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7f...0x9f).contains(v) || v == 0x2028 || v == 0x2029
            || (0x202a...0x202e).contains(v) || (0x2066...0x2069).contains(v)
    }
}
