import Foundation
import TallyCore

/// `E`: today's target and why it is what it is (WorkOS's adjustment and its reason), the
/// readiness and the energy level, and the reading they come from.
struct EnergyOverlay: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        let goal = context.snapshot.goal
        let energy = context.snapshot.energy
        let width = min(max(44, area.width - 8), 72)
        let labelWidth = 12
        let valueWidth = max(1, width - 4 - labelWidth)
        let muted = context.style(.muted)
        let main = context.style(.main)
        var lines: [Line] = []
        func field(_ label: String, _ text: String, style: Style? = nil, maxLines: Int = 1) {
            for (index, part) in DisplayWidth.wrap(Format.clean(text), to: valueWidth, maxLines: maxLines).enumerated() {
                lines.append(Line([Span(DisplayWidth.pad(index == 0 ? label : "", to: labelWidth), style: muted),
                                   Span(part, style: style ?? main)]))
            }
        }

        let target = goal.targetIsAdjusted ? "\(goal.target)* adjusted by WorkOS for the day" : "\(goal.target), the day's standard"
        field("Target", target, style: main.with(adding: .bold))
        field("Earned", "\(goal.earned) · minimum \(goal.minimum) · \(goal.pace.label)")
        if let reason = energy?.reason {
            field("Why", reason, maxLines: max(1, min(5, area.height - 14)))
        } else if goal.targetIsAdjusted {
            field("Why", "WorkOS gave no reason", style: muted)
        }
        if let energy {
            lines.append(Line(""))
            if let readiness = energy.readiness {
                field("Readiness", "\(readiness)/100")
            }
            if let word = energy.levelWord {
                var text = word
                if let at = energy.recordedAt, let time = Timestamp.parse(at) {
                    text += " · " + (energy.source.map { "\($0) reading" } ?? "reading") + " at "
                        + Format.clock(time, in: context.chrome.timeZone)
                } else {
                    text += " · from the goal row"
                }
                field("Energy", text)
            }
            if let note = energy.note { field("Note", "“\(note)”", maxLines: 2) }
            if let sleep = energy.sleep { field("Sleep", "\(sleep)/100") }
        } else {
            lines.append(Line(""))
            field("Energy", "WorkOS recorded no readiness or energy reading for today", style: muted, maxLines: 2)
        }
        Modal(title: "Today's energy", lines: lines, footer: context.hints(Keymap.footer(for: .energy)), preferredWidth: width,
              style: main, borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }
}

/// `D` with marks: how many tasks, the titles of those on screen, and the question.
struct ConfirmDeleteMarkedOverlay: Widget {
    let context: RenderContext
    let ids: [Int64]

    /// Titles listed before "and N more".
    static let listed = 4

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = min(area.width - 4, 60)
        let rows = context.snapshot.tasks.rows
        let titles = ids.compactMap { id in rows.first { $0.task.id == id } }.prefix(Self.listed)
        var lines = titles.map { row in
            Line(DisplayWidth.truncate("“\(Format.clean(row.task.title))”", to: max(1, width - 4)),
                 style: context.style(.main).with(adding: .bold))
        }
        if ids.count > titles.count { lines.append(Line("and \(ids.count - titles.count) more", style: context.style(.muted))) }
        lines.append(Line("They are removed from the primary and the cache; u undoes it for 10 s.", style: context.style(.muted)))
        Modal(title: "Delete \(ViewState.count(ids.count, "marked task"))?", lines: lines,
              footer: context.hints(Keymap.footer(for: .confirmDelete)), preferredWidth: width, style: context.style(.main),
              borderStyle: context.style(.borderFocused), titleStyle: context.style(.title))
            .render(in: area, into: &buffer)
    }
}
