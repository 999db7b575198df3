/// A box drawn with Unicode box-drawing characters, with a title on the top edge and an
/// optional one on the right (a count or a position).
///
/// A focused block is drawn with heavy lines in the focused style, so focus shows even on a
/// terminal without colours.
public struct Block: Widget, Sendable {
    public var title: Line?
    public var rightTitle: Line?
    public var focused: Bool
    public var borderStyle: Style
    public var focusedBorderStyle: Style
    public var titleStyle: Style
    /// Fills the inside with this style first (nil leaves it as it is).
    public var fill: Style?

    public init(title: String? = nil, rightTitle: String? = nil, focused: Bool = false,
                borderStyle: Style = .plain, focusedBorderStyle: Style = Style(attributes: .bold),
                titleStyle: Style = Style(attributes: .bold), fill: Style? = nil) {
        self.title = title.map { Line($0, style: titleStyle) }
        self.rightTitle = rightTitle.map { Line($0, style: borderStyle) }
        self.focused = focused
        self.borderStyle = borderStyle
        self.focusedBorderStyle = focusedBorderStyle
        self.titleStyle = titleStyle
        self.fill = fill
    }

    /// The area inside the border.
    public func inner(_ area: Rect) -> Rect { area.inset(1) }

    public func render(in area: Rect, into buffer: inout Buffer) {
        guard area.width >= 2, area.height >= 2 else { return }
        let style = focused ? focusedBorderStyle : borderStyle
        let glyphs = focused
            ? (h: "━", v: "┃", tl: "┏", tr: "┓", bl: "┗", br: "┛")
            : (h: "─", v: "│", tl: "╭", tr: "╮", bl: "╰", br: "╯")
        if let fill { buffer.fill(inner(area), with: Cell(" ", style: fill)) }
        let top = area.y, bottom = area.maxY - 1, left = area.x, right = area.maxX - 1
        for x in (left + 1)..<right {
            buffer.put(glyphs.h, x: x, y: top, style: style)
            buffer.put(glyphs.h, x: x, y: bottom, style: style)
        }
        for y in (top + 1)..<bottom {
            buffer.put(glyphs.v, x: left, y: y, style: style)
            buffer.put(glyphs.v, x: right, y: y, style: style)
        }
        buffer.put(glyphs.tl, x: left, y: top, style: style)
        buffer.put(glyphs.tr, x: right, y: top, style: style)
        buffer.put(glyphs.bl, x: left, y: bottom, style: style)
        buffer.put(glyphs.br, x: right, y: bottom, style: style)

        // ╭─ Title ──── 12/340 ─╮ : titles sit between spaces; the right one keeps its room
        // unless that would leave the left one fewer than 8 columns.
        let room = area.width - 4
        guard room > 2 else { return }
        var rightText: Line?
        if let rightTitle {
            let text = Line([Span(" ", style: style)] + rightTitle.spans + [Span(" ", style: style)])
            if text.width + 1 + 8 <= room { rightText = text }
        }
        if let title {
            // A cut title keeps its spaces: `╭─ A very lo… ── 3/9 ─╮`.
            let titleRoom = room - (rightText.map { $0.width + 1 } ?? 0) - 2
            if titleRoom > 0 {
                buffer.put(" ", x: left + 2, y: top, style: style)
                let end = buffer.put(title, x: left + 3, y: top, maxWidth: titleRoom)
                buffer.put(" ", x: end, y: top, style: style)
            }
        }
        if let rightText {
            buffer.put(rightText, x: right - 1 - rightText.width, y: top, maxWidth: rightText.width)
        }
    }
}
