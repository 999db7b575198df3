/// Every key the dashboard knows, as the help overlay and the hint line show them.
public enum KeyBindings {
    /// A key (or keys) and what it does.
    public struct Binding: Hashable, Sendable {
        public var keys: String
        public var action: String
        /// Shown on the hint line (short form) when set.
        public var hint: String?
    }

    /// A group of bindings under a heading.
    public struct Section: Hashable, Sendable {
        public var title: String
        public var bindings: [Binding]
    }

    public static let sections: [Section] = [
        Section(title: "Move", bindings: [
            Binding(keys: "j/k ↓/↑", action: "move down / up", hint: "move"),
            Binding(keys: "g / G", action: "first / last row"),
            Binding(keys: "PgUp/PgDn", action: "page up / down"),
            Binding(keys: "Tab/S-Tab", action: "next / previous pane", hint: "pane"),
            Binding(keys: "mouse", action: "click selects, wheel scrolls"),
        ]),
        Section(title: "Filter", bindings: [
            Binding(keys: "1–9", action: "show one client's tasks", hint: "client"),
            Binding(keys: "0", action: "all clients"),
            Binding(keys: "s", action: "status: active → queued → backlog → done today → all", hint: "status"),
            Binding(keys: "/", action: "search titles (Enter applies)", hint: "search"),
            Binding(keys: "Esc", action: "clear filters, search, close"),
        ]),
        Section(title: "Tasks", bindings: [
            Binding(keys: "Enter", action: "task details", hint: "details"),
            Binding(keys: "c", action: "complete the selected task", hint: "complete"),
            Binding(keys: "p", action: "set points, then complete", hint: "points"),
            Binding(keys: "u", action: "undo the last completion (10 s)", hint: "undo"),
        ]),
        Section(title: "Sync and screen", bindings: [
            Binding(keys: "R", action: "refresh now", hint: "refresh"),
            // One line for both views, so the help still fits 60×15 whole.
            Binding(keys: "f / h", action: "failures / history view (Esc back)", hint: "failures"),
            Binding(keys: "t", action: "next theme", hint: "theme"),
            Binding(keys: "Ctrl-L", action: "redraw"),
            Binding(keys: "?", action: "this help", hint: "help"),
            Binding(keys: "q Ctrl-C", action: "quit", hint: "quit"),
        ]),
    ]

    /// The keys of the failures view, listed first in its help.
    public static let failuresSection = Section(title: "Failures view", bindings: [
        Binding(keys: "j/k ↓/↑", action: "choose a failure"),
        Binding(keys: "r", action: "retry: resumes the failure's job, or the last failed job"),
        Binding(keys: "f / Esc", action: "back to the dashboard"),
    ])

    /// The help's sections in `view`: the failures view's own keys and those that work
    /// everywhere; the dashboard's every key.
    public static func sections(for view: ViewState.View) -> [Section] {
        switch view {
        case .dashboard: return sections
        case .failures: return [failuresSection] + sections.filter { $0.title == "Sync and screen" }
        case .history: return [historySection] + sections.filter { $0.title == "Sync and screen" }
        }
    }

    /// The hint line of the dashboard, most useful first (what does not fit is left off).
    static let dashboardHints: [(String, String)] = [
        ("j/k", "move"), ("↵", "details"), ("c", "complete"), ("p", "points"), ("/", "search"), ("s", "status"),
        ("R", "refresh"), ("f", "failures"), ("1-9", "client"), ("u", "undo"), ("Tab", "pane"), ("t", "theme"),
        ("h", "history"), ("q", "quit"), ("?", "help"),
    ]

    static let failuresHints: [(String, String)] = [
        ("j/k", "move"), ("r", "retry"), ("R", "refresh"), ("f/Esc", "back"), ("?", "help"), ("q", "quit"),
    ]
}
