/// Everything a key can ask of the dashboard. `ViewState.handle` turns a key into one of these
/// through `Keymap` and each mode's handler carries it out.
public enum Action: String, CaseIterable, Sendable {
    case moveDown, moveUp, moveFirst, moveLast, pageDown, pageUp
    case nextPane, previousPane
    /// A click or the wheel; where it lands decides what it does.
    case mouse
    /// `1`–`9`: the n-th client's tasks; `0`: all clients.
    case filterClient
    case cycleStatus, startSearch, clearFilters
    /// `o`: the next sort of the task list; `O`: the same sort reversed.
    case cycleOrder, reverseOrder
    /// Enter on the dashboard: the focused pane's selection (task details, client filter, failures).
    case open
    case complete, completeWithPoints, undo
    /// `Space`: mark or unmark the selected task (in the habits pane: check the habit in).
    case toggleMark
    /// `Space` or `c` in the habit detail: check the habit in for today.
    case checkInHabit
    case addTask, editTask, promoteTask, moveTaskDown, moveTaskUp, deleteTask
    /// `y` on the delete question.
    case confirm
    /// In the task form: the next or previous field, and the next or previous choice of a choice field.
    case nextField, previousField, nextChoice, previousChoice
    case refresh, toggleFailures, toggleHistory, retry
    /// Esc in the failures and history views: back to the dashboard.
    case leaveView
    /// The history view's `←`/`[` and `→`/`]`.
    case olderWeek, newerWeek
    case nextTheme, redraw, showHelp, quit
    /// `E`: today's readiness, energy and why the target is what it is.
    case showEnergy
    /// Esc, Enter or `q` on an overlay that only shows something.
    case closeOverlay
    // While typing (search, points): the keys that are not text.
    case applyInput, cancelInput, clearInput, deleteBackward
}

/// Which keys are live: the full-screen view, or the overlay or input that takes the keys.
public enum KeyMode: String, CaseIterable, Sendable {
    case dashboard, failures, history, help, taskDetail, pointsInput, searchInput, taskForm, confirmDelete
    /// The habit detail (`Enter` in the habits pane).
    case habitDetail
    /// Today's energy and target (`E`).
    case energy
    /// The "terminal too small" screen: only quitting and redrawing.
    case tooSmall

    /// Whether a character with no binding is text typed into a field.
    public var takesText: Bool { self == .pointsInput || self == .searchInput || self == .taskForm }
}

/// A key a binding answers to.
public enum KeyPattern: Hashable, Sendable {
    case key(Key)
    /// Any of the digits `0`–`9`.
    case digit
    /// Any mouse event.
    case mouse

    func matches(_ key: Key) -> Bool {
        switch (self, key) {
        case (.key(let expected), _): return expected == key
        case (.digit, .char(let c)): return c.isASCII && c.isNumber
        case (.mouse, .mouse): return true
        default: return false
        }
    }
}

/// The short form of a binding, on the hint line or an overlay's footer.
public struct Hint: Sendable, Equatable {
    /// The keys as shown; several are joined with " or ".
    public var keys: [String]
    public var text: String
    /// Position on the line, lowest first: what does not fit is left off from the end.
    public var rank: Int
    /// The modes whose line shows it (nil: every mode of the binding).
    public var modes: Set<KeyMode>?
    /// The dashboard's line shows it only while this pane has the focus (nil: any pane).
    public var pane: ViewState.Pane? = nil
}

/// One row of the key table: keys and the actions they trigger, in which modes, and how the help,
/// the hint line and the overlays' footers describe them.
public struct Binding: Sendable {
    /// The help's groups, in the order the help shows them.
    public enum Section: String, CaseIterable, Sendable {
        case failures = "Failures view"
        case history = "History view"
        case move = "Move"
        case filter = "Filter"
        case tasks = "Tasks"
        case syncAndScreen = "Sync and screen"
        case habits = "Habits (Tab to the pane)"
    }

    public var keys: [(KeyPattern, Action)]
    public var modes: Set<KeyMode>
    /// The group the help lists it under; nil: not in the help (overlay and typing keys, which
    /// their own footer shows).
    public var section: Section?
    /// The keys as the help shows them.
    public var label: String
    public var help: String
    /// The modes whose help lists it (nil: every mode of the binding).
    public var helpModes: Set<KeyMode>?
    /// What the hint lines show of it: usually one hint, or one per key where a row's keys
    /// are hinted apart (`f` and `h`).
    public var hints: [Hint]

    public var actions: [Action] { keys.map(\.1) }

    func listedInHelp(of mode: KeyMode) -> Bool {
        section != nil && modes.contains(mode) && (helpModes?.contains(mode) ?? true)
    }

    func hinted(in mode: KeyMode) -> [Hint] {
        guard modes.contains(mode) else { return [] }
        return hints.filter { $0.modes?.contains(mode) ?? true }
    }
}

/// Every key Tally knows, in one table that drives dispatch (`action(for:in:)`), the help
/// (`sections(for:)`), the hint line (`hints(for:)`) and the overlays' footers (`footer(for:)`).
/// The README's key table lists the same rows.
public enum Keymap {
    private static let main: Set<KeyMode> = [.dashboard, .failures, .history]
    private static let everywhere = Set(KeyMode.allCases)

    private static func b(_ label: String, _ help: String, _ section: Binding.Section?, _ modes: Set<KeyMode>,
                          _ keys: [(KeyPattern, Action)], hint: Hint? = nil, hints: [Hint] = [],
                          helpModes: Set<KeyMode>? = nil) -> Binding {
        Binding(keys: keys, modes: modes, section: section, label: label, help: help, helpModes: helpModes,
                hints: (hint.map { [$0] } ?? []) + hints)
    }

    private static func h(_ keys: String..., text: String, rank: Int, in modes: Set<KeyMode>? = nil,
                          pane: ViewState.Pane? = nil) -> Hint {
        Hint(keys: keys, text: text, rank: rank, modes: modes, pane: pane)
    }

    public static let bindings: [Binding] = [
        // The failures view's own keys.
        b("j/k ↓/↑", "choose a failure", .failures, [.failures],
          [(.key(.down), .moveDown), (.key(.char("j")), .moveDown), (.key(.up), .moveUp), (.key(.char("k")), .moveUp),
           (.key(.char("g")), .moveFirst), (.key(.home), .moveFirst), (.key(.char("G")), .moveLast), (.key(.end), .moveLast),
           (.key(.pageDown), .pageDown), (.key(.pageUp), .pageUp), (.mouse, .mouse)],
          hint: h("j/k", text: "move", rank: 10)),
        b("r", "retry: resumes the failure's job, or the last failed job", .failures, [.failures],
          [(.key(.char("r")), .retry)], hint: h("r", text: "retry", rank: 15)),
        b("f / Esc", "back to the dashboard", .failures, [.failures],
          [(.key(.char("f")), .toggleFailures), (.key(.escape), .leaveView)], hint: h("f/Esc", text: "back", rank: 75)),

        // The history view's own keys.
        b("← / [", "a week back", .history, [.history],
          [(.key(.left), .olderWeek), (.key(.char("[")), .olderWeek), (.key(.right), .newerWeek), (.key(.char("]")), .newerWeek)],
          hint: h("←/→", text: "weeks", rank: 10)),
        b("→ / ]", "a week forward, towards today", .history, [.history], [(.key(.right), .newerWeek), (.key(.char("]")), .newerWeek)]),
        b("h / Esc", "back to the dashboard", .history, [.history],
          [(.key(.char("h")), .toggleHistory), (.key(.escape), .leaveView)], hint: h("h/Esc", text: "back", rank: 20)),

        // Moving.
        b("j/k ↓/↑", "move down / up", .move, [.dashboard],
          [(.key(.down), .moveDown), (.key(.char("j")), .moveDown), (.key(.up), .moveUp), (.key(.char("k")), .moveUp)],
          hint: h("j/k", text: "move", rank: 10)),
        b("g / G", "first / last row", .move, [.dashboard],
          [(.key(.char("g")), .moveFirst), (.key(.home), .moveFirst), (.key(.char("G")), .moveLast), (.key(.end), .moveLast)]),
        b("PgUp/PgDn", "page up / down", .move, [.dashboard], [(.key(.pageUp), .pageUp), (.key(.pageDown), .pageDown)]),
        b("Tab/S-Tab", "next / previous pane", .move, [.dashboard],
          [(.key(.tab), .nextPane), (.key(.backTab), .previousPane)], hint: h("Tab", text: "pane", rank: 110)),
        b("mouse", "click selects, wheel scrolls", .move, [.dashboard], [(.mouse, .mouse)]),

        // Filtering.
        b("1–9", "show one client's tasks", .filter, [.dashboard], [(.digit, .filterClient)],
          hint: h("1-9", text: "client", rank: 90)),
        b("0", "all clients", .filter, [.dashboard], [(.key(.char("0")), .filterClient)]),
        b("s", "status: active → queued → backlog → done today → all", .filter, [.dashboard],
          [(.key(.char("s")), .cycleStatus)], hint: h("s", text: "status", rank: 60)),
        b("/", "search titles (Enter applies)", .filter, [.dashboard], [(.key(.char("/")), .startSearch)],
          hint: h("/", text: "search", rank: 50)),
        b("o / O", "sort: points, client, …; O reverses", .filter, [.dashboard],
          [(.key(.char("o")), .cycleOrder), (.key(.char("O")), .reverseOrder)], hint: h("o", text: "sort", rank: 95)),
        b("Esc", "clear marks, filters, search, close", .filter, [.dashboard], [(.key(.escape), .clearFilters)]),

        // Tasks.
        b("Enter", "task details", .tasks, [.dashboard], [(.key(.enter), .open)], hint: h("↵", text: "details", rank: 20)),
        b("c", "complete the selected task", .tasks, [.dashboard, .taskDetail], [(.key(.char("c")), .complete)],
          hint: h("c", text: "complete", rank: 30), helpModes: [.dashboard]),
        b("p", "set points, then complete", .tasks, [.dashboard, .taskDetail], [(.key(.char("p")), .completeWithPoints)],
          hint: h("p", text: "points", rank: 40), helpModes: [.dashboard]),
        b("a", "add a task (a form)", .tasks, [.dashboard], [(.key(.char("a")), .addTask)],
          hint: h("a", text: "add", rank: 45)),
        b("e", "edit the selected task", .tasks, [.dashboard, .taskDetail], [(.key(.char("e")), .editTask)],
          hint: h("e", text: "edit", rank: 47), helpModes: [.dashboard]),
        b(">", "promote it to active", .tasks, [.dashboard], [(.key(.char(">")), .promoteTask)]),
        b("J / K", "move it down / up the list", .tasks, [.dashboard],
          [(.key(.char("J")), .moveTaskDown), (.key(.char("K")), .moveTaskUp)]),
        b("D", "delete it (y confirms)", .tasks, [.dashboard], [(.key(.char("D")), .deleteTask)]),
        b("Space", "mark / unmark; c > D e act on marks", .tasks, [.dashboard],
          [(.key(.char(" ")), .toggleMark)], hint: h("Space", text: "mark", rank: 115)),
        b("u", "undo the last write (10 s)", .tasks, main, [(.key(.char("u")), .undo)],
          hint: h("u", text: "undo", rank: 100, in: [.dashboard]), helpModes: [.dashboard]),

        // Habits: the habits pane's own keys (`Space`, `c` and Enter there mean the habit, not a task).
        b("Space / c", "check the selected habit in", .habits, [.dashboard],
          [(.key(.char(" ")), .toggleMark)], hint: h("Space", text: "check in", rank: 25, pane: .habits)),
        b("Enter", "its streaks, last 30 days", .habits, [.dashboard], [(.key(.enter), .open)],
          hint: h("↵", text: "details", rank: 20, pane: .habits)),
        b("u", "undo the check-in (10 s)", .habits, [.dashboard], [(.key(.char("u")), .undo)],
          hint: h("u", text: "undo", rank: 30, pane: .habits)),

        // Sync and screen: everywhere outside overlays.
        b("R", "refresh now", .syncAndScreen, main, [(.key(.char("R")), .refresh)], hint: h("R", text: "refresh", rank: 70)),
        // One line for both views, so the help still fits 60×15 whole.
        b("f / h", "failures / history view (Esc back)", .syncAndScreen, main,
          [(.key(.char("f")), .toggleFailures), (.key(.char("h")), .toggleHistory)],
          hints: [h("f", text: "failures", rank: 80, in: [.dashboard]), h("h", text: "history", rank: 125, in: [.dashboard])]),
        b("t", "next theme", .syncAndScreen, main, [(.key(.char("t")), .nextTheme)],
          hint: h("t", text: "theme", rank: 120, in: [.dashboard, .history])),
        b("E", "today's energy, readiness and target", .syncAndScreen, [.dashboard, .history],
          [(.key(.char("E")), .showEnergy)], hint: h("E", text: "energy", rank: 127, in: [.dashboard])),
        b("Ctrl-L", "redraw", .syncAndScreen, everywhere, [(.key(.ctrl("l")), .redraw)]),
        b("?", "this help", .syncAndScreen, main, [(.key(.char("?")), .showHelp)], hint: h("?", text: "help", rank: 1000)),
        b("q Ctrl-C", "quit", .syncAndScreen, main.union([.tooSmall]),
          [(.key(.char("q")), .quit), (.key(.ctrl("c")), .quit)], hint: h("q", text: "quit", rank: 130)),
        b("Ctrl-C", "quit", nil, [.help, .taskDetail, .pointsInput, .searchInput, .taskForm, .confirmDelete, .habitDetail, .energy],
          [(.key(.ctrl("c")), .quit)]),

        // Overlays: their footers show these.
        b("Esc ?", "close the help", nil, [.help],
          [(.key(.escape), .closeOverlay), (.key(.char("?")), .closeOverlay), (.key(.enter), .closeOverlay),
           (.key(.char("q")), .closeOverlay)], hint: h("Esc", "?", text: "closes", rank: 10)),
        b("Esc", "close the task", nil, [.taskDetail],
          [(.key(.escape), .closeOverlay), (.key(.enter), .closeOverlay), (.key(.char("q")), .closeOverlay)],
          hint: h("Esc", text: "close", rank: 50)),
        b("Esc", "close the habit", nil, [.habitDetail],
          [(.key(.escape), .closeOverlay), (.key(.enter), .closeOverlay), (.key(.char("q")), .closeOverlay)],
          hint: h("Esc", text: "close", rank: 50)),
        b("Space / c", "check it in", nil, [.habitDetail],
          [(.key(.char(" ")), .checkInHabit), (.key(.char("c")), .checkInHabit)], hint: h("Space", text: "check in", rank: 25)),
        b("Esc", "close", nil, [.energy],
          [(.key(.escape), .closeOverlay), (.key(.enter), .closeOverlay), (.key(.char("q")), .closeOverlay),
           (.key(.char("E")), .closeOverlay)], hint: h("Esc", text: "close", rank: 50)),

        // Typing: every other key is text.
        b("Enter", "apply", nil, [.searchInput], [(.key(.enter), .applyInput)], hint: h("↵", text: "apply", rank: 10)),
        b("Esc", "clear the search", nil, [.searchInput], [(.key(.escape), .cancelInput)], hint: h("Esc", text: "clear", rank: 20)),
        b("Enter", "complete with these points", nil, [.pointsInput], [(.key(.enter), .applyInput)],
          hint: h("↵", text: "complete", rank: 10)),
        b("Esc", "cancel", nil, [.pointsInput], [(.key(.escape), .cancelInput)], hint: h("Esc", text: "cancel", rank: 20)),
        b("Tab / ↓", "next field", nil, [.taskForm], [(.key(.tab), .nextField), (.key(.down), .nextField)],
          hint: h("Tab", text: "next", rank: 5)),
        b("S-Tab / ↑", "previous field", nil, [.taskForm], [(.key(.backTab), .previousField), (.key(.up), .previousField)]),
        b("← / →", "another choice", nil, [.taskForm], [(.key(.left), .previousChoice), (.key(.right), .nextChoice)],
          hint: h("←/→", text: "choose", rank: 7)),
        b("Enter", "save", nil, [.taskForm], [(.key(.enter), .applyInput)], hint: h("↵", text: "save", rank: 10)),
        b("Esc", "cancel", nil, [.taskForm], [(.key(.escape), .cancelInput)], hint: h("Esc", text: "cancel", rank: 20)),
        b("y", "delete", nil, [.confirmDelete], [(.key(.char("y")), .confirm), (.key(.char("Y")), .confirm)],
          hint: h("y", text: "delete", rank: 10)),
        b("n / Esc", "keep it", nil, [.confirmDelete],
          [(.key(.char("n")), .cancelInput), (.key(.escape), .cancelInput), (.key(.enter), .cancelInput)],
          hint: h("n", "Esc", text: "keep", rank: 20)),
        b("Ctrl-U", "clear the field", nil, [.pointsInput, .searchInput, .taskForm], [(.key(.ctrl("u")), .clearInput)]),
        b("Backspace", "delete a character", nil, [.pointsInput, .searchInput, .taskForm],
          [(.key(.backspace), .deleteBackward), (.key(.delete), .deleteBackward)]),
    ]

    /// What `key` does in `mode`; nil when nothing (or, while typing, when it is text).
    public static func action(for key: Key, in mode: KeyMode) -> Action? {
        for binding in bindings where binding.modes.contains(mode) {
            for (pattern, action) in binding.keys where pattern.matches(key) { return action }
        }
        return nil
    }

    /// The help's groups for `mode`, each with its rows in table order.
    public static func sections(for mode: KeyMode) -> [(section: Binding.Section, bindings: [Binding])] {
        Binding.Section.allCases.compactMap { section in
            let rows = bindings.filter { $0.section == section && $0.listedInHelp(of: mode) }
            return rows.isEmpty ? nil : (section, rows)
        }
    }

    /// The hints of `mode`, most useful first. With `focus`, the dashboard's line is the focused
    /// pane's: the habits pane's keys replace the task keys while it has the focus.
    public static func hints(for mode: KeyMode, focus: ViewState.Pane? = nil) -> [Hint] {
        bindings.flatMap { binding -> [Hint] in
            binding.hinted(in: mode).filter { hint in
                if let pane = hint.pane { return mode == .dashboard && pane == focus }
                return !(mode == .dashboard && focus == .habits && binding.section == .tasks)
            }
        }.sorted { $0.rank < $1.rank }
    }

    /// An overlay's footer: its hints, less those `shows` leaves out (a done task cannot be completed).
    public static func footer(for mode: KeyMode, shows: (Action) -> Bool = { _ in true }) -> [Hint] {
        bindings.filter { $0.actions.contains(where: shows) }
            .flatMap { $0.hinted(in: mode) }
            .sorted { $0.rank < $1.rank }
    }

    /// How the help shows the keys of `action` in `mode` ("s", "R"), for text that names a key.
    public static func label(of action: Action, in mode: KeyMode = .dashboard) -> String {
        bindings.first { $0.modes.contains(mode) && $0.actions.contains(action) }?.label ?? "?"
    }
}
