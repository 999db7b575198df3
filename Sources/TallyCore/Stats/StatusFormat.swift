import Foundation

/// What `tally status --format` prints: a template of placeholders (`{earned}/{target}`), or a
/// preset for a status bar (`waybar`: its JSON; `tmux`: colours in tmux's `#[fg=…]` syntax).
///
/// A template is checked when it is parsed, so an unknown placeholder is one line naming the
/// valid ones before the cache is read. `{{` and `}}` print a brace.
public enum StatusFormat: Sendable, Equatable {
    case template([Piece])
    case waybar
    case tmux

    /// A value `{name}` stands for.
    public enum Placeholder: String, Sendable, CaseIterable {
        /// Today's points.
        case earned
        /// The day's target (the adjusted one when WorkOS adjusted it).
        case target
        /// The day's minimum (12).
        case minimum
        /// The current streak, as the header shows it.
        case streak
        /// `ahead`, `minimum met`, `on track`, `behind`.
        case pace
        /// WorkOS's pressure level, 0–5.
        case pressure
        /// Work tasks completed today.
        case done
        /// Habits checked in today, and active habits.
        case habitsDone = "habits_done"
        case habits
        /// When the stalest namespace goes stale (`in 11m`), or `due`.
        case nextSync = "next_sync"
        /// Unresolved sync failures.
        case failures
        /// `3m ago`, or `never`.
        case synced
        /// Writes waiting for the primary.
        case queued
        /// Today's points as a percentage of the target.
        case percent

        public var token: String { "{\(rawValue)}" }
    }

    /// A piece of a template: text as written, or a placeholder.
    public enum Piece: Sendable, Equatable {
        case text(String)
        case placeholder(Placeholder)
    }

    public static let presets = ["waybar", "tmux"]

    /// Parses `--format`'s value: a preset's name, or a template. Throws `TallyError.badArgument`
    /// with one line (an unknown placeholder names the valid ones).
    public init(parsing text: String) throws {
        switch text {
        case "waybar": self = .waybar; return
        case "tmux": self = .tmux; return
        default: break
        }
        var pieces: [Piece] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" || character == "}", next < text.endIndex, text[next] == character {
                literal.append(character)
                index = text.index(after: next)
                continue
            }
            if character == "}" {
                throw TallyError.badArgument("A lone } in --format; write }} for a brace.")
            }
            guard character == "{" else {
                literal.append(character)
                index = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else {
                throw TallyError.badArgument("A { in --format is not closed; write {{ for a brace.")
            }
            let name = String(text[next..<close])
            guard let placeholder = Placeholder(rawValue: name) else {
                throw TallyError.badArgument("Unknown placeholder {\(TextSafety.sanitize(name))} in --format; "
                    + "the placeholders are \(Self.placeholderList), and the presets \(Self.presets.joined(separator: ", ")).")
            }
            if !literal.isEmpty { pieces.append(.text(literal)) }
            literal = ""
            pieces.append(.placeholder(placeholder))
            index = text.index(after: close)
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self = .template(pieces)
    }

    /// `{earned} {target} …`, for messages and help.
    public static var placeholderList: String {
        Placeholder.allCases.map(\.token).joined(separator: " ")
    }

    /// The line (or waybar's JSON) for `report`.
    public func render(_ report: StatusReport) -> String {
        switch self {
        case .template(let pieces):
            return pieces.map { piece in
                switch piece {
                case .text(let text): return text
                case .placeholder(let placeholder): return Self.value(placeholder, report)
                }
            }.joined()
        case .waybar:
            return JSONOutput.string(Self.waybar(report))
        case .tmux:
            return Self.tmux(report)
        }
    }

    /// The text a placeholder stands for in `report`; `-` for a figure the report lacks.
    public static func value(_ placeholder: Placeholder, _ report: StatusReport) -> String {
        let goal = report.goal
        func figure(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        switch placeholder {
        case .earned: return figure(goal?.earned)
        case .target: return figure(goal?.target)
        case .minimum: return figure(goal?.minimum)
        case .streak: return figure(goal?.currentStreak)
        case .pace: return goal?.pace.label ?? "-"
        case .pressure: return figure(goal?.pressure)
        case .done: return figure(goal?.taskCount)
        case .habitsDone: return String(report.habitsDone)
        case .habits: return String(report.habitCount)
        case .nextSync:
            guard let date = report.staleAt, date > report.now else { return "due" }
            return RelativeTime.until(date, now: report.now)
        case .failures: return String(report.unresolvedFailures)
        case .synced: return report.lastSyncAt.map { RelativeTime.ago($0, now: report.now) } ?? "never"
        case .queued: return String(report.outboxDepth)
        case .percent: return figure(goal?.percentOfTarget)
        }
    }

    /// waybar's custom module with `"return-type": "json"`: one line of `text`, `alt` (the pace,
    /// for `format-icons`), `tooltip`, `class` (the pace, and `stale`, `sync_failed` or
    /// `failures` when they apply, for style.css) and `percentage` (of the target, at most 100).
    static func waybar(_ report: StatusReport) -> [String: Any] {
        guard let goal = report.goal else { return ["text": "", "class": ["no_cache"]] }
        var classes = [goal.pace.rawValue]
        switch report.health {
        case .stale: classes.append("stale")
        case .syncFailed: classes.append("sync_failed")
        case .healthy, .noCache: break
        }
        if report.unresolvedFailures > 0 { classes.append("failures") }
        var tooltip = ["\(goal.earned)/\(goal.target) points, \(goal.pace.label) (minimum \(goal.minimum))",
                       "streak \(goal.currentStreak) (best \(goal.longestStreak)) · \(goal.taskCount) done today"]
        if report.habitCount > 0 { tooltip.append("habits \(report.habitsDone)/\(report.habitCount) today") }
        var sync = "synced \(value(.synced, report)) · next sync \(value(.nextSync, report))"
        if report.unresolvedFailures > 0 { sync += " · \(report.unresolvedFailures) failures" }
        if report.outboxDepth > 0 { sync += " · \(report.outboxDepth) queued" }
        tooltip.append(sync)
        return [
            "text": "\(goal.earned)/\(goal.target)",
            "alt": goal.pace.rawValue,
            "tooltip": tooltip.joined(separator: "\n"),
            "class": classes,
            "percentage": min(100, goal.percentOfTarget),
        ]
    }

    /// tmux's status line: the points in the pace's colour, the streak, the habits, and a
    /// warning in red (a failed sync) or yellow (stale) when there is one.
    static func tmux(_ report: StatusReport) -> String {
        guard let goal = report.goal else { return "" }
        var parts = ["#[fg=\(tmuxColour(goal.pace))]\(goal.earned)/\(goal.target)#[default] \(goal.pace.label)",
                     "streak \(goal.currentStreak)"]
        if report.habitCount > 0 { parts.append("habits \(report.habitsDone)/\(report.habitCount)") }
        switch report.health {
        case .syncFailed: parts.append("#[fg=red]sync failed#[default]")
        case .stale: parts.append("#[fg=yellow]stale#[default]")
        case .healthy, .noCache:
            if report.unresolvedFailures > 0 { parts.append("#[fg=red]\(report.unresolvedFailures) failures#[default]") }
        }
        return parts.joined(separator: " · ")
    }

    /// Traffic lights: the target reached green, the minimum cyan, on track yellow, behind red.
    public static func tmuxColour(_ pace: Pace) -> String {
        switch pace {
        case .ahead: return "green"
        case .minimumOnly: return "cyan"
        case .onTrack: return "yellow"
        case .behind: return "red"
        }
    }
}
