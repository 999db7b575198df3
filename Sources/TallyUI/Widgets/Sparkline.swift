/// Values as bars `▁▂▃▄▅▆▇█`, one column each, newest on the right.
///
/// A nil value (nothing measured) is drawn as `·` on the bottom row; a zero as `▁`, so "none"
/// and "zero" differ. Taller areas stack rows of eighths for finer bars.
public struct Sparkline: Widget, Sendable {
    public var values: [Double?]
    /// The value of a full bar; nil uses the largest value.
    public var maximum: Double?
    public var style: Style
    public var missingStyle: Style
    public var missingSymbol: String

    public init(values: [Double?], maximum: Double? = nil, style: Style = .plain, missingStyle: Style = .plain,
                missingSymbol: String = "·") {
        self.values = values
        self.maximum = maximum
        self.style = style
        self.missingStyle = missingStyle
        self.missingSymbol = missingSymbol
    }

    static let bars = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let shown = values.suffix(area.width)
        let top = maximum ?? shown.reduce(0.0) { max($0, $1 ?? 0) }
        let levels = area.height * 8
        for (column, value) in shown.enumerated() {
            let x = area.x + column
            guard let value, value.isFinite else {
                buffer.put(missingSymbol, x: x, y: area.maxY - 1, style: missingStyle, maxWidth: 1)
                continue
            }
            let ratio = top > 0 ? min(1, max(0, value / top)) : 0
            let level = max(1, Int((ratio * Double(levels)).rounded()))
            for row in 0..<area.height {
                let cellLevel = min(8, level - row * 8)
                guard cellLevel > 0 else { break }
                buffer.put(Self.bars[cellLevel - 1], x: x, y: area.maxY - 1 - row, style: style)
            }
        }
    }
}
