extension KeyBindings {
    /// The keys of the history view, listed first in its help.
    public static let historySection = Section(title: "History view", bindings: [
        Binding(keys: "← / [", action: "a week back"),
        Binding(keys: "→ / ]", action: "a week forward, towards today"),
        Binding(keys: "h / Esc", action: "back to the dashboard"),
    ])

    static let historyHints: [(String, String)] = [
        ("←/→", "weeks"), ("h/Esc", "back"), ("R", "refresh"), ("t", "theme"), ("?", "help"), ("q", "quit"),
    ]
}
