/// A box centred over the screen: a title, lines of text, an optional input line with a
/// cursor, and a footer (usually the keys that close it). Clears what is under it.
public struct Modal: Widget, Sendable {
    /// A line the user is typing into.
    public struct Input: Hashable, Sendable {
        public var prompt: String
        public var text: String

        public init(prompt: String, text: String) {
            self.prompt = prompt
            self.text = text
        }
    }

    public var title: String
    public var lines: [Line]
    public var input: Input?
    public var footer: Line?
    /// Columns wanted for the box (it never exceeds the area).
    public var preferredWidth: Int?
    public var style: Style
    public var borderStyle: Style
    public var titleStyle: Style
    public var inputStyle: Style

    public init(title: String, lines: [Line], input: Input? = nil, footer: Line? = nil, preferredWidth: Int? = nil,
                style: Style = .plain, borderStyle: Style = .plain, titleStyle: Style = Style(attributes: .bold),
                inputStyle: Style = Style(attributes: .underline)) {
        self.title = title
        self.lines = lines
        self.input = input
        self.footer = footer
        self.preferredWidth = preferredWidth
        self.style = style
        self.borderStyle = borderStyle
        self.titleStyle = titleStyle
        self.inputStyle = inputStyle
    }

    /// Rows inside the border.
    var contentHeight: Int { lines.count + (input == nil ? 0 : 1) + (footer == nil ? 0 : 2) }

    /// Where the box goes in `area`.
    public func frame(in area: Rect) -> Rect {
        let natural = max(DisplayWidth.of(title) + 6,
                          lines.map(\.width).max() ?? 0, footer.map(\.width) ?? 0,
                          input.map { DisplayWidth.of($0.prompt) + DisplayWidth.of($0.text) + 2 } ?? 0) + 4
        let width = min(area.width, max(natural, preferredWidth ?? 0))
        let height = min(area.height, contentHeight + 2)
        return Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2,
                    width: width, height: height)
    }

    public func render(in area: Rect, into buffer: inout Buffer) {
        let box = frame(in: area)
        guard box.width >= 4, box.height >= 3 else { return }
        buffer.fill(box, with: Cell(" ", style: style))
        var block = Block(title: title, focused: true, borderStyle: borderStyle, focusedBorderStyle: borderStyle,
                          titleStyle: titleStyle)
        block.fill = style
        block.render(in: box, into: &buffer)
        let inner = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        guard !inner.isEmpty else { return }
        var y = inner.y
        // The footer and the input keep their rows; text lines take what is left.
        let reserved = (input == nil ? 0 : 1) + (footer == nil ? 0 : 2)
        let textRows = max(0, inner.height - reserved)
        for line in lines.prefix(textRows) {
            buffer.put(line, x: inner.x, y: y, maxWidth: inner.width)
            y += 1
        }
        if let input, y < inner.maxY {
            let x = buffer.put(input.prompt, x: inner.x, y: y, style: style, maxWidth: inner.width)
            let room = inner.maxX - x - 1
            // Show the end of what is typed when it is longer than the field.
            var shown = input.text
            while DisplayWidth.of(shown) > room, !shown.isEmpty { shown.removeFirst() }
            buffer.fill(Rect(x: x, y: y, width: inner.maxX - x, height: 1), with: Cell(" ", style: inputStyle))
            let end = buffer.put(shown, x: x, y: y, style: inputStyle, maxWidth: max(0, room))
            buffer.put("▏", x: end, y: y, style: inputStyle, maxWidth: 1)
            y += 1
        }
        if let footer, y + 1 < inner.maxY + 1 {
            let footerY = inner.maxY - 1
            buffer.put(footer, x: inner.x, y: footerY, maxWidth: inner.width)
        }
    }
}
