/// Writes a buffer as text with SGR colour sequences, for `tally render --ansi`.
///
/// Each line starts from the terminal's reset state and ends with a reset; lines are joined by
/// "\n"; there is no cursor movement, so the output can be piped, diffed or `cat`-ed. Symbols
/// never carry control characters (a cell holding one is drawn as a space).
public enum ANSIRenderer {
    public static func render(_ buffer: Buffer, mode: ColorMode) -> String {
        var out = ""
        out.reserveCapacity(buffer.width * buffer.height * 4)
        for y in 0..<buffer.height {
            if y > 0 { out += "\n" }
            var current = Style.plain
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                if cell.isContinuation { continue }
                let style = cell.style.resolved(for: mode)
                if style != current {
                    out += sgr(style, mode: mode)
                    current = style
                }
                out += safe(cell.symbol)
            }
            if current != .plain { out += "\u{1b}[0m" }
        }
        return out
    }

    /// The SGR sequence that sets `style` from any previous state (it starts with a reset).
    public static func sgr(_ style: Style, mode: ColorMode) -> String {
        var codes = ["0"]
        let attributes = style.attributes
        if attributes.contains(.bold) { codes.append("1") }
        if attributes.contains(.dim) { codes.append("2") }
        if attributes.contains(.italic) { codes.append("3") }
        if attributes.contains(.underline) { codes.append("4") }
        if attributes.contains(.reverse) { codes.append("7") }
        if let fg = colorCode(style.fg, mode: mode, background: false) { codes.append(fg) }
        if let bg = colorCode(style.bg, mode: mode, background: true) { codes.append(bg) }
        return "\u{1b}[" + codes.joined(separator: ";") + "m"
    }

    static func colorCode(_ color: Color, mode: ColorMode, background: Bool) -> String? {
        switch color.terminalColor(in: mode) {
        case .default:
            return nil
        case .rgb(let r, let g, let b):
            return "\(background ? 48 : 38);2;\(r);\(g);\(b)"
        case .index(let index) where mode == .ansi16:
            let base = index < 8 ? (background ? 40 : 30) : (background ? 100 : 90)
            return String(base + index % 8)
        case .index(let index):
            return "\(background ? 48 : 38);5;\(index)"
        }
    }

    @inline(__always)
    static func safe(_ symbol: String) -> String {
        for scalar in symbol.unicodeScalars where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
            return " "
        }
        return symbol
    }
}
