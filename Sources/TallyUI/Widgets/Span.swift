/// A run of text in one style.
public struct Span: Hashable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// Display columns the text takes.
    public var width: Int { DisplayWidth.of(text) }
}

/// A line made of styled spans, cut with `…` where it does not fit.
public struct Line: Hashable, Sendable, Widget {
    public var spans: [Span]

    public init(_ spans: [Span]) {
        self.spans = spans
    }

    public init(_ text: String, style: Style = .plain) {
        spans = [Span(text, style: style)]
    }

    public var width: Int { spans.reduce(0) { $0 + $1.width } }

    public static func + (lhs: Line, rhs: Line) -> Line { Line(lhs.spans + rhs.spans) }

    /// Draws the line on the first row of `area`.
    public func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        buffer.put(self, x: area.x, y: area.y, maxWidth: area.width)
    }
}

extension Buffer {
    /// Writes `line` at (x, y) within `maxWidth` columns; when it does not fit, the last visible
    /// span ends in `…`. Returns the column after the last one written.
    @discardableResult
    public mutating func put(_ line: Line, x: Int, y: Int, maxWidth: Int) -> Int {
        guard maxWidth > 0 else { return x }
        let total = line.width
        var column = x
        var remaining = maxWidth
        for span in line.spans {
            guard remaining > 0 else { break }
            let width = span.width
            if total <= maxWidth || width < remaining {
                column = put(span.text, x: column, y: y, style: span.style, maxWidth: remaining)
                remaining = maxWidth - (column - x)
            } else {
                // More text follows (total > maxWidth), so a span that fits exactly still gets `…`.
                let text = width > remaining ? span.text : span.text + " "
                column = put(DisplayWidth.truncate(text, to: remaining), x: column, y: y,
                             style: span.style, maxWidth: remaining)
                break
            }
        }
        return column
    }

    /// Writes `text` centred in `area`'s first row, cut with `…` when wider.
    @discardableResult
    public mutating func putCentered(_ text: String, in area: Rect, style: Style = .plain) -> Int {
        guard !area.isEmpty else { return area.x }
        let cut = DisplayWidth.truncate(text, to: area.width)
        let x = area.x + max(0, (area.width - DisplayWidth.of(cut)) / 2)
        return put(cut, x: x, y: area.y, style: style, maxWidth: area.maxX - x)
    }
}
