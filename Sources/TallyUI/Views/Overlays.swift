import Foundation
import TallyCore

/// Every key, in two columns when there is room (`?`); in the failures view, that view's keys.
/// An action too long for its column wraps under itself when the screen has the rows for it.
struct HelpOverlay: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        // The habits pane's keys only where the screen has the pane.
        let sections = Keymap.sections(for: context.state.viewKeyMode).filter { $0.section != .habits || context.layout.habits != nil }
        let twoColumns = area.width >= 60 && sections.count > 1
        let keyWidth = 10
        let columnWidth = twoColumns ? min(52, (area.width - 8) / 2) : min(64, area.width - 6)
        let actionWidth = max(1, columnWidth - keyWidth)
        func lines(_ sections: ArraySlice<(section: Binding.Section, bindings: [Binding])>, spaced: Bool, wrapped: Bool) -> [Line] {
            var lines: [Line] = []
            for section in sections {
                if spaced, !lines.isEmpty { lines.append(Line("")) }
                lines.append(Line(section.section.rawValue, style: context.style(.title)))
                for binding in section.bindings {
                    let parts = wrapped ? DisplayWidth.wrap(binding.help, to: actionWidth)
                        : [DisplayWidth.truncate(binding.help, to: actionWidth)]
                    for (index, part) in parts.enumerated() {
                        let keys = index == 0 ? DisplayWidth.pad(binding.label, to: keyWidth - 1) + " " : String(repeating: " ", count: keyWidth)
                        lines.append(Line([Span(keys, style: context.style(.hintKey)), Span(part, style: context.style(.main))]))
                    }
                }
            }
            return lines
        }
        func body(spaced: Bool, wrapped: Bool) -> [Line] {
            guard twoColumns else { return lines(sections[...], spaced: spaced, wrapped: wrapped) }
            let half = (sections.count + 1) / 2
            let left = lines(sections.prefix(half), spaced: spaced, wrapped: wrapped)
            let right = lines(sections.dropFirst(half), spaced: spaced, wrapped: wrapped)
            return (0..<max(left.count, right.count)).map { index in
                let l = index < left.count ? left[index] : Line("")
                let r = index < right.count ? right[index] : Line("")
                return Line(l.spans + [Span(String(repeating: " ", count: max(0, columnWidth - l.width) + 2))] + r.spans)
            }
        }
        // Short screens lose the wrapped lines, then the blank lines, then the footer, before any key.
        var text = body(spaced: true, wrapped: true)
        var showsFooter = true
        if text.count + 4 > area.height { text = body(spaced: false, wrapped: true) }
        if text.count + 4 > area.height { text = body(spaced: false, wrapped: false) }
        if text.count + 4 > area.height { showsFooter = false }
        Modal(title: "Keys", lines: text,
              footer: !showsFooter ? nil : Line(context.hints(Keymap.footer(for: .help)).spans
                                                    + [Span(" · theme: \(context.chrome.themeName)", style: context.style(.hintText))]),
              style: context.style(.main), borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }
}

/// Every field of a task (Enter), all text sanitized.
struct TaskDetailOverlay: Widget {
    let context: RenderContext
    let row: TaskRow

    func render(in area: Rect, into buffer: inout Buffer) {
        let task = row.task
        let width = min(max(40, area.width - 8), 84)
        let labelWidth = 13
        let valueWidth = max(1, width - 4 - labelWidth)
        let now = context.chrome.now
        let zone = context.chrome.timeZone
        let muted = context.style(.muted)
        let main = context.style(.main)
        var lines: [Line] = []
        func field(_ label: String, _ value: String?, style: Style? = nil, maxLines: Int = 1) {
            let text = value.map(Format.clean) ?? ""
            let wrapped = DisplayWidth.wrap(text.isEmpty ? "—" : text, to: valueWidth, maxLines: maxLines)
            for (index, part) in wrapped.enumerated() {
                lines.append(Line([Span(DisplayWidth.pad(index == 0 ? label : "", to: labelWidth), style: muted),
                                   Span(part, style: style ?? (text.isEmpty ? muted : main))]))
            }
        }
        field("Title", task.title, style: main.with(adding: .bold), maxLines: 3)
        if let name = row.clientName {
            lines.append(Line([Span(DisplayWidth.pad("Client", to: labelWidth), style: muted), context.swatch(row.clientColor),
                               Span(" " + Format.clean(name), style: main)]))
        } else {
            field("Client", nil)
        }
        var status = task.taskStatus.description
        if row.isPending { status += "  ⧗ completion waiting for the primary" }
        field("Status", status, style: row.isPending ? context.style(.pending) : main)
        let source = task.pointsFinal != nil ? "final" : (task.pointsAIGuess != nil ? "AI guess" : "tier default")
        field("Points", "\(task.effectivePoints) (\(source))")
        field("Value tier", task.valueTier)
        field("Category", task.category)
        field("Effort", [task.effortEstimate.map { "estimate \($0)" }, task.effortActual.map { "actual \($0)" }]
            .compactMap { $0 }.joined(separator: " · "))
        field("Drain", task.drainType)
        field("Created", Format.timestamp(task.createdAt, now: now, in: zone))
        field("Updated", Format.timestamp(task.updatedAt, now: now, in: zone))
        if task.completedAt != nil { field("Completed", Format.timestamp(task.completedAt, now: now, in: zone)) }
        if task.backlogEnteredAt != nil { field("In backlog", Format.timestamp(task.backlogEnteredAt, now: now, in: zone)) }
        if task.pointsAdjustedAt != nil { field("Points set", Format.timestamp(task.pointsAdjustedAt, now: now, in: zone)) }
        subtaskLines(task.subtasks, labelWidth: labelWidth, valueWidth: valueWidth, into: &lines)
        let reserved = lines.count + 6
        field("Description", task.description, maxLines: max(1, min(8, area.height - reserved)))

        // A done task cannot be completed again, so its footer offers only closing.
        let footer = context.hints(Keymap.footer(for: .taskDetail) { action in
            task.taskStatus != .done || action == .closeOverlay
        })
        Modal(title: "Task #\(task.id)", lines: lines, footer: footer, preferredWidth: width,
              style: main, borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }
}

extension TaskDetailOverlay {
    /// Most checklist items the detail shows; the rest are counted.
    static let subtaskLimit = 6

    /// The subtasks as a checklist (`[x] Outline`, `[ ] Finish`), nothing when there are none,
    /// and text that is not a JSON list as it is written.
    func subtaskLines(_ text: String?, labelWidth: Int, valueWidth: Int, into lines: inout [Line]) {
        let muted = context.style(.muted)
        let main = context.style(.main)
        func line(_ index: Int, _ spans: [Span]) {
            lines.append(Line([Span(DisplayWidth.pad(index == 0 ? "Subtasks" : "", to: labelWidth), style: muted)] + spans))
        }
        guard let list = Subtask.list(from: text) else {
            let raw = DisplayWidth.wrap(Format.clean(text), to: valueWidth, maxLines: 3)
            for (index, part) in raw.enumerated() { line(index, [Span(part, style: main)]) }
            return
        }
        let shown = list.count > Self.subtaskLimit ? Self.subtaskLimit - 1 : list.count
        for (index, item) in list.prefix(shown).enumerated() {
            let title = DisplayWidth.truncate(Format.clean(item.title), to: max(1, valueWidth - 4))
            line(index, [Span(item.done ? "[x] " : "[ ] ", style: item.done ? context.style(.ok) : muted),
                         Span(title, style: item.done ? muted : main)])
        }
        if shown < list.count {
            let done = list.dropFirst(shown).filter(\.done).count
            line(shown, [Span("… \(list.count - shown) more (\(done) done)", style: muted)])
        }
    }
}

/// The `p` prompt: points for the selected task, digits only.
struct PointsPromptOverlay: Widget {
    let context: RenderContext
    let prompt: ViewState.PointsPrompt

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = min(area.width - 4, 60)
        let title = DisplayWidth.truncate("“\(Format.clean(prompt.title))”", to: max(1, width - 4))
        let footer: Line
        if let error = prompt.error {
            footer = Line("✗ " + error, style: context.style(.error))
        } else {
            footer = context.hints(Keymap.footer(for: .pointsInput))
        }
        Modal(title: "Complete with points", lines: [Line(title, style: context.style(.main).with(adding: .bold)), Line("")],
              input: Modal.Input(prompt: "Points (default \(prompt.defaultPoints)): ", text: prompt.input),
              footer: footer, preferredWidth: width, style: context.style(.main),
              borderStyle: context.style(.borderFocused), titleStyle: context.style(.title),
              inputStyle: context.style(.selected))
            .render(in: area, into: &buffer)
    }
}

/// `Enter` in the habits pane: the habit's frequency and streaks, and its last 30 days as a row of
/// cells (`■` checked in, `·` not, today last), so a broken streak shows where it broke.
struct HabitDetailOverlay: Widget {
    let context: RenderContext
    let habit: Habit

    /// Days the row of cells shows, today included.
    static let days = 30

    func render(in area: Rect, into buffer: inout Buffer) {
        let snapshot = context.snapshot
        let width = min(max(44, area.width - 8), 64)
        let labelWidth = 13
        let muted = context.style(.muted)
        let main = context.style(.main)
        let ok = context.style(.ok)
        var lines: [Line] = []
        func field(_ label: String, _ spans: [Span]) {
            lines.append(Line([Span(DisplayWidth.pad(label, to: labelWidth), style: muted)] + spans))
        }
        let emoji = Format.clean(habit.emoji)
        let name = Format.clean(habit.name)
        field("Habit", [Span(DisplayWidth.truncate((emoji.isEmpty ? "" : emoji + " ") + name, to: max(1, width - 4 - labelWidth)),
                             style: main.with(adding: .bold))])
        field("Frequency", [Span(Format.clean(habit.frequency ?? "daily"), style: main)])
        let current = max(0, habit.currentStreak ?? 0)
        field("Streak", [Span("\(current)", style: current > 0 ? ok.with(adding: .bold) : muted),
                         Span(" now · best \(max(current, habit.longestStreak ?? 0))", style: main)])
        let done = snapshot.habitsDone.contains(habit.id)
        let pending = snapshot.pendingHabits.contains(habit.id)
        field("Today", [pending ? Span("⧗ waiting for the primary", style: context.style(.pending))
                        : done ? Span("✓ done", style: ok.with(adding: .bold)) : Span("not yet", style: muted)])
        let today = LocalDay(context.chrome.now, in: context.chrome.timeZone)
        let checked = snapshot.habitDays[habit.id] ?? []
        var cells: [Span] = []
        for back in stride(from: Self.days - 1, through: 0, by: -1) {
            let day = today.adding(days: -back)
            cells.append(checked.contains(day) ? Span("■", style: ok) : Span("·", style: muted))
        }
        lines.append(Line(""))
        lines.append(Line([Span(DisplayWidth.pad("Last 30 days", to: labelWidth), style: muted)] + cells))
        let first = today.adding(days: -(Self.days - 1))
        let count = checked.filter { $0 >= first && $0 <= today }.count
        lines.append(Line([Span(DisplayWidth.pad("", to: labelWidth), style: muted),
                           Span(DisplayWidth.pad(Format.dayMonth(first), to: Self.days - 5), style: muted),
                           Span("today", style: muted)]))
        field("Done", [Span("\(count) of the last \(Self.days) days", style: main)])

        let footer = context.hints(Keymap.footer(for: .habitDetail) { action in
            !(done || pending) || action == .closeOverlay
        })
        Modal(title: "Habit #\(habit.id)", lines: lines, footer: footer, preferredWidth: width,
              style: main, borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }
}
