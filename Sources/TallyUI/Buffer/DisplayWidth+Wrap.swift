extension DisplayWidth {
    /// `text` broken into lines of at most `width` columns, at spaces where possible (a word
    /// longer than a line is split). At most `maxLines` lines; the last one ends in `…` when
    /// text was left over.
    public static func wrap(_ text: String, to width: Int, maxLines: Int = .max) -> [String] {
        guard width > 0, maxLines > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        var truncated = false

        func flush() {
            lines.append(current)
            current = ""
            currentWidth = 0
        }

        outer: for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            var wordWidth = of(String(word))
            if currentWidth > 0, currentWidth + 1 + wordWidth <= width {
                current += " " + word
                currentWidth += 1 + wordWidth
                continue
            }
            if currentWidth > 0 {
                flush()
                if lines.count == maxLines { truncated = true; break outer }
            }
            while wordWidth > width {
                // Split a long word at the column limit.
                var head = ""
                var headWidth = 0
                var rest = word
                while let character = rest.first, headWidth + of(character) <= width {
                    head.append(character)
                    headWidth += of(character)
                    rest = rest.dropFirst()
                }
                if head.isEmpty { break outer }
                current = head
                currentWidth = headWidth
                flush()
                if lines.count == maxLines { truncated = !rest.isEmpty; break outer }
                word = rest
                wordWidth = of(String(word))
            }
            current = String(word)
            currentWidth = wordWidth
        }
        if !truncated, currentWidth > 0 {
            if lines.count < maxLines { flush() } else { truncated = true }
        }
        if truncated, let last = lines.last {
            lines[lines.count - 1] = of(last) + 2 <= width ? last + " …" : truncate(last + "  ", to: width)
        }
        return lines
    }
}
