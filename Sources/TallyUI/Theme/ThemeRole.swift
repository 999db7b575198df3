/// What a piece of the screen is, which decides its style in a theme.
public enum ThemeRole: Int, CaseIterable, Sendable {
    /// Ordinary text on the screen's background.
    case main
    /// Pane titles.
    case title
    case border
    /// The border of the pane that has the keyboard.
    case borderFocused
    /// The selected row.
    case selected
    /// Table headers.
    case header
    /// The top bar.
    case bar
    case muted
    case accent
    case ok
    case warn
    case error
    /// Completions waiting for the primary.
    case pending
    case gaugeFilled
    case gaugeEmpty
    /// A gauge whose target is reached.
    case gaugeDone
    case progressFilled
    case progressEmpty
    case sparkline
    case hintKey
    case hintText

    /// How the role is built from theme keys.
    struct Recipe {
        var fg: ThemeKey
        var bg: ThemeKey
        /// Always applied.
        var attributes: Attributes = []
        /// Applied when colours are missing: by the terminal (see `Style.resolved(for:)`), or by
        /// the theme itself (a role whose colours are all `default`).
        var monochrome: Attributes = []
        /// Whether the background (rather than the foreground) makes the role stand out: with
        /// that colour `default`, the monochrome attributes must.
        var standsOutByBackground = false
    }

    var recipe: Recipe {
        switch self {
        case .main: return Recipe(fg: .mainFg, bg: .mainBg)
        case .title: return Recipe(fg: .title, bg: .mainBg, attributes: .bold, monochrome: .bold)
        case .border: return Recipe(fg: .border, bg: .mainBg)
        case .borderFocused: return Recipe(fg: .borderFocused, bg: .mainBg, attributes: .bold, monochrome: .bold)
        case .selected:
            return Recipe(fg: .selectedFg, bg: .selectedBg, attributes: .bold, monochrome: [.bold, .reverse],
                          standsOutByBackground: true)
        case .header:
            return Recipe(fg: .headerFg, bg: .headerBg, attributes: .bold, monochrome: [.bold, .underline],
                          standsOutByBackground: true)
        case .bar: return Recipe(fg: .headerFg, bg: .headerBg, monochrome: .reverse, standsOutByBackground: true)
        case .muted: return Recipe(fg: .muted, bg: .mainBg, monochrome: .dim)
        case .accent: return Recipe(fg: .accent, bg: .mainBg, monochrome: .bold)
        case .ok: return Recipe(fg: .ok, bg: .mainBg)
        case .warn: return Recipe(fg: .warn, bg: .mainBg, monochrome: .bold)
        case .error: return Recipe(fg: .error, bg: .mainBg, monochrome: [.bold, .underline])
        case .pending: return Recipe(fg: .pending, bg: .mainBg, monochrome: .italic)
        case .gaugeFilled: return Recipe(fg: .gaugeFilled, bg: .mainBg)
        case .gaugeEmpty: return Recipe(fg: .gaugeEmpty, bg: .mainBg, monochrome: .dim)
        case .gaugeDone: return Recipe(fg: .gaugeDone, bg: .mainBg, attributes: .bold, monochrome: .bold)
        case .progressFilled: return Recipe(fg: .progressFilled, bg: .mainBg)
        case .progressEmpty: return Recipe(fg: .progressEmpty, bg: .mainBg, monochrome: .dim)
        case .sparkline: return Recipe(fg: .sparkline, bg: .mainBg)
        case .hintKey: return Recipe(fg: .hintKey, bg: .mainBg, attributes: .bold, monochrome: .bold)
        case .hintText: return Recipe(fg: .hintText, bg: .mainBg)
        }
    }
}
