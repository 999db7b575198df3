import TallyCore

/// What every view draws from, passed down instead of four arguments.
struct RenderContext {
    let snapshot: Snapshot
    let state: ViewState
    let chrome: Chrome
    let theme: Theme
    let layout: DashboardLayout

    func style(_ role: ThemeRole) -> Style { theme.style(role) }

    /// A block in the theme's border styles.
    func block(_ title: String, focused: Bool = false, right: Line? = nil) -> Block {
        var block = Block(title: title, focused: focused, borderStyle: style(.border),
                          focusedBorderStyle: style(.borderFocused), titleStyle: style(.title))
        block.rightTitle = right
        return block
    }

    /// Hints as a footer or hint line shows them: `Esc or ? closes`, `c complete  p points`.
    func hints(_ hints: [Hint]) -> Line {
        var spans: [Span] = []
        for (index, hint) in hints.enumerated() {
            if index > 0 { spans.append(Span("  ", style: style(.hintText))) }
            for (keyIndex, key) in hint.keys.enumerated() {
                if keyIndex > 0 { spans.append(Span(" or ", style: style(.hintText))) }
                spans.append(Span(key, style: style(.hintKey)))
            }
            spans.append(Span(" " + hint.text, style: style(.hintText)))
        }
        return Line(spans)
    }

    /// Green at or above 90 %, yellow from 70 %, red below.
    func rateStyle(_ rate: Double?) -> Style {
        guard let rate else { return style(.muted) }
        if rate >= 0.9 { return style(.ok) }
        if rate >= 0.7 { return style(.warn) }
        return style(.error)
    }

    /// A client's colour swatch, or a muted one when the colour is missing or malformed.
    func swatch(_ hex: String?) -> Span {
        if theme.hasColors, let color = Color(hex: hex), color != .default {
            return Span("■", style: style(.main).with(fg: color))
        }
        return Span("□", style: style(.muted))
    }
}
