/// Points earned against a target as a bar with a label after it (`████▌░░░ 11/18`).
///
/// The bar is full, in the done style, when `earned ≥ target` (and when the target is 0).
/// Eighth blocks give sub-cell precision; the empty part is `░`, so the fill shows without colour.
public struct Gauge: Widget, Sendable {
    public var earned: Int
    public var target: Int
    public var label: String?
    public var filledStyle: Style
    public var emptyStyle: Style
    public var doneStyle: Style
    public var labelStyle: Style

    public init(earned: Int, target: Int, label: String? = nil, filledStyle: Style = .plain,
                emptyStyle: Style = .plain, doneStyle: Style = .plain, labelStyle: Style = .plain) {
        self.earned = earned
        self.target = target
        self.label = label
        self.filledStyle = filledStyle
        self.emptyStyle = emptyStyle
        self.doneStyle = doneStyle
        self.labelStyle = labelStyle
    }

    public var isFull: Bool { earned >= target }

    /// 0…1.
    public var ratio: Double {
        guard target > 0 else { return 1 }
        return min(1, max(0, Double(earned) / Double(target)))
    }

    public func render(in area: Rect, into buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        var barWidth = area.width
        if let label, !label.isEmpty {
            let labelWidth = DisplayWidth.of(label)
            if area.width - labelWidth - 1 >= 4 {
                barWidth = area.width - labelWidth - 1
                buffer.put(label, x: area.x + barWidth + 1, y: area.y, style: isFull ? doneStyle : labelStyle,
                           maxWidth: labelWidth)
            }
        }
        Self.drawBar(ratio: ratio, x: area.x, y: area.y, width: barWidth, into: &buffer,
                     filled: isFull ? doneStyle : filledStyle, empty: emptyStyle)
    }

    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// `width` cells of `█` with an eighth block at the edge, then `░`.
    static func drawBar(ratio: Double, x: Int, y: Int, width: Int, into buffer: inout Buffer,
                        filled: Style, empty: Style) {
        guard width > 0 else { return }
        let units = Int((ratio * Double(width * 8)).rounded())
        let full = min(width, units / 8)
        let part = units % 8
        for column in 0..<width {
            if column < full {
                buffer.put("█", x: x + column, y: y, style: filled)
            } else if column == full, part > 0 {
                buffer.put(eighths[part], x: x + column, y: y, style: filled)
            } else {
                buffer.put("░", x: x + column, y: y, style: empty)
            }
        }
    }
}
