/// Terminal display width of text: wide CJK and emoji take two columns, combining marks none.
///
/// Computed from Unicode properties and East Asian Wide/Fullwidth ranges, so it does not depend
/// on the process locale (the C library's `wcwidth` does).
///
/// A narrow character followed by the emoji variation selector U+FE0F (`✍️`, `🗓️`) is the one
/// case terminals disagree on: ncurses, xterm and tmux up to 3.3 give it the base character's one
/// column, tmux 3.4 and most newer terminals two. Whatever a program assumes, one of them moves
/// the rest of the line by a column. So Tally gives such a character two columns and writes it
/// without the selector, followed by a blank (`cellText(of:)`): one column each in every
/// terminal, and the same text in `tally render` as on the live screen.
public enum DisplayWidth {
    /// Columns one grapheme cluster occupies (0, 1 or 2).
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x7f { return first.value < 0x20 ? 0 : 1 }
        if isWide(first) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        return scalars.contains(where: { $0.value == 0xFE0F }) ? 2 : 1
    }

    /// What a cell holds for `character`: the character itself, except that a selector U+FE0F
    /// after a narrow character is left out (see the type's note); `of(_:)` still counts two
    /// columns for it, the second of which is a blank.
    public static func cellText(of character: Character) -> String {
        let scalars = character.unicodeScalars
        guard scalars.count > 1, let first = scalars.first, !isWide(first),
              scalars.contains(where: { $0.value == 0xFE0F }) else { return String(character) }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars.lazy.filter { $0.value != 0xFE0F })
        return String(text)
    }

    /// Whether the scalar takes two columns on its own: emoji presentation, East Asian Wide and
    /// Fullwidth.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x1100 && (scalar.properties.isEmojiPresentation || isWide(scalar.value))
    }

    /// Columns `text` occupies.
    public static func of(_ text: String) -> Int {
        // Printable ASCII, most of what a screen holds, is a column a byte: counted without
        // breaking the text into characters (a control character counts none, as below).
        var columns = 0
        for byte in text.utf8 {
            guard byte < 0x7f else { return characterWidths(text) }
            if byte >= 0x20 { columns += 1 }
        }
        return columns
    }

    private static func characterWidths(_ text: String) -> Int {
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// East Asian Wide and Fullwidth ranges outside the emoji blocks (where Emoji_Presentation
    /// decides: those blocks also hold narrow pictographs, such as U+1F5D3 🗓).
    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
             0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
             0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
             0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B2FF,
             0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251,
             0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` cut to at most `width` columns; when cut, the last column is `…`.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if text.utf8.count <= width, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return text }
        let total = of(text)
        if total <= width { return text }
        var out = ""
        var used = 0
        for character in text {
            let w = of(character)
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// `text` padded with spaces (or truncated) to exactly `width` columns.
    public static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: width)
        let fill = String(repeating: " ", count: max(0, width - of(cut)))
        return alignRight ? fill + cut : cut + fill
    }
}
