import TallyCore

/// The `a` / `e` form: one row a field, the focused one highlighted with a cursor; choice fields
/// show ◂ ▸; an error line when a save or key was refused; the form's keys as the footer.
struct TaskFormOverlay: Widget {
    let context: RenderContext
    let form: TaskForm

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = min(area.width - 2, 72)
        let labelWidth = 13
        let fieldWidth = max(4, width - 4 - labelWidth)
        let main = context.style(.main)
        let muted = context.style(.muted)
        let selected = context.style(.selected)
        var lines: [Line] = []
        for field in form.fields {
            let focused = form.focus == field
            let label = Span(DisplayWidth.pad(field.label, to: labelWidth), style: focused ? context.style(.accent).with(adding: .bold) : muted)
            lines.append(Line([label] + value(field, focused: focused, width: fieldWidth, main: main, muted: muted, selected: selected)))
        }
        lines.append(Line(""))
        if let error = form.error {
            lines.append(Line("✗ " + error, style: context.style(.error)))
        } else {
            lines.append(Line(hint(for: form.focus), style: muted))
        }
        let title = form.batch.map { "Edit \(ViewState.count($0.count, "marked task"))" }
            ?? (form.isNew ? "New task" : "Edit task #\(form.taskID ?? 0)")
        Modal(title: title, lines: lines,
              footer: context.hints(Keymap.footer(for: .taskForm)), preferredWidth: width, style: main,
              borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }

    /// Every value starts in the same column: the two columns before it hold a choice's `◂`
    /// while it has the focus, and are blank otherwise.
    private func value(_ field: TaskForm.Field, focused: Bool, width: Int, main: Style, muted: Style, selected: Style) -> [Span] {
        let text = Format.clean(form.text(of: field))
        let style = focused ? selected : main
        let gutter = Span("  ", style: main)
        let room = max(1, width - 2)
        switch field {
        case .client, .tier, .status:
            let locked = field == .status && form.statusLocked
            let shown = DisplayWidth.truncate(text, to: max(1, room - 2))
            if locked { return [gutter, Span(shown, style: muted)] }
            if form.unchanged.contains(field) {
                return [Span(focused ? "◂ " : "  ", style: context.style(.accent)), Span(shown, style: focused ? selected : muted),
                        Span(focused ? " ▸" : "", style: context.style(.accent))]
            }
            return [Span(focused ? "◂ " : "  ", style: context.style(.accent)), Span(shown, style: style),
                    Span(focused ? " ▸" : "", style: context.style(.accent))]
        case .title, .points, .description:
            if text.isEmpty, !focused {
                let placeholder = field == .points ? "the tier's" : (field == .description ? "—" : "")
                return [gutter, Span(placeholder, style: muted)]
            }
            guard focused else { return [gutter, Span(DisplayWidth.truncate(text, to: room), style: style)] }
            // The end of what is typed, when it is longer than the field, and a cursor after it.
            var shown = text
            while DisplayWidth.of(shown) > room - 1, !shown.isEmpty { shown.removeFirst() }
            let pad = String(repeating: " ", count: max(0, room - 1 - DisplayWidth.of(shown)))
            return [gutter, Span(shown, style: style), Span("▏", style: style), Span(pad, style: style)]
        }
    }

    private func hint(for field: TaskForm.Field) -> String {
        if let batch = form.batch {
            return form.unchanged.contains(field) ? "←/→: a \(field.label.lowercased()) for all \(batch.count)."
                : "Every marked task gets this \(field.label.lowercased())."
        }
        switch field {
        case .title: return "What is to be done (required)."
        case .client: return "←/→ or the first letter: whose work it is."
        case .tier: return "checkbox 1 · progress 2 · deliverable 4 · milestone 7 points."
        case .status: return form.statusLocked ? "Done: undo its completion to change this." : "active · queued · backlog"
        case .points: return "Empty: the tier's points. 0–1000."
        case .description: return "Optional."
        }
    }
}

/// `D`: the task's title and the question.
struct ConfirmDeleteOverlay: Widget {
    let context: RenderContext
    let row: TaskRow

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = min(area.width - 4, 60)
        let title = DisplayWidth.truncate("“\(Format.clean(row.task.title))”", to: max(1, width - 4))
        Modal(title: "Delete task #\(row.task.id)?", lines: [
            Line(title, style: context.style(.main).with(adding: .bold)),
            Line("It is removed from the primary and the cache; u undoes it for 10 s.", style: context.style(.muted)),
        ], footer: context.hints(Keymap.footer(for: .confirmDelete)), preferredWidth: width, style: context.style(.main),
              borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }
}
