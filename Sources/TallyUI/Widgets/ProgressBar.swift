/// A sync job's progress: `━━━━━━━╸──────  30%  12/40 chunks · 6,000 rows`.
///
/// The label is dropped first, then the percentage, when the area is narrow.
public struct ProgressBar: Widget, Sendable {
    /// 0…100.
    public var percent: Double
    public var label: String
    public var filledStyle: Style
    public var emptyStyle: Style
    public var labelStyle: Style

    public init(percent: Double, label: String = "", filledStyle: Style = .plain, emptyStyle: Style = .plain,
                labelStyle: Style = .plain) {
        self.percent = percent.isFinite ? min(100, max(0, percent)) : 0
        self.label = label
        self.filledStyle = filledStyle
        self.emptyStyle = emptyStyle
        self.labelStyle = labelStyle
    }

    public func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let percentText = DisplayWidth.pad("\(Int(percent.rounded(.down)))%", to: 4, alignRight: true)
        let labelWidth = DisplayWidth.of(label)
        var barWidth = area.width
        var showPercent = false
        var showLabel = false
        if area.width - 5 >= 6 {
            barWidth = area.width - 5
            showPercent = true
            if !label.isEmpty, barWidth - labelWidth - 2 >= 10 {
                barWidth -= labelWidth + 2
                showLabel = true
            }
        }
        let units = Int((percent / 100 * Double(barWidth * 2)).rounded(.down))
        let full = min(barWidth, units / 2)
        for column in 0..<barWidth {
            let x = area.x + column
            if column < full {
                buffer.put("━", x: x, y: area.y, style: filledStyle)
            } else if column == full, units % 2 == 1 {
                buffer.put("╸", x: x, y: area.y, style: filledStyle)
            } else {
                buffer.put("─", x: x, y: area.y, style: emptyStyle)
            }
        }
        var x = area.x + barWidth
        if showPercent {
            x = buffer.put(" " + percentText, x: x, y: area.y, style: labelStyle, maxWidth: 5)
        }
        if showLabel {
            buffer.put("  " + label, x: x, y: area.y, style: labelStyle, maxWidth: area.maxX - x)
        }
    }
}
