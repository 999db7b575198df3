/// Lines one under another with one selected line and a scroll window.
public struct List: Widget, Sendable {
    public var items: [Line]
    public var selected: Int?
    /// Index of the first item drawn.
    public var offset: Int
    public var selectedStyle: Style

    public init(items: [Line], selected: Int? = nil, offset: Int = 0, selectedStyle: Style = Style(attributes: .reverse)) {
        self.items = items
        self.selected = selected
        self.offset = offset
        self.selectedStyle = selectedStyle
    }

    public func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty, offset >= 0, offset < items.count else { return }
        let end = min(items.count, offset + area.height)
        for index in offset..<end {
            let y = area.y + index - offset
            var line = items[index]
            if index == selected {
                buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), with: Cell(" ", style: selectedStyle))
                line = Line(line.spans.map { Span($0.text, style: selectedStyle) })
            }
            buffer.put(line, x: area.x, y: y, maxWidth: area.width)
        }
    }
}
