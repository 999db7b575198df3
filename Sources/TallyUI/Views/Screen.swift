import TallyCore

/// Draws one frame: the dashboard, the failures or the history view at any size, with overlays, in a theme.
///
/// Pure: the same model, size and theme give the same buffer, so every screen is testable as
/// text. Never fails, whatever the size (0×0 gives an empty buffer; below 60×15 a "too small"
/// notice).
public enum Screen {
    public static func render(_ model: ScreenModel, width: Int, height: Int, theme: Theme) -> Buffer {
        var buffer = Buffer(width: max(0, width), height: max(0, height))
        guard width > 0, height > 0 else { return buffer }
        buffer.fill(buffer.area, with: Cell(" ", style: theme.style(.main)))

        let layout = DashboardLayout.compute(width: width, height: height, snapshot: model.snapshot)
        if layout.isTooSmall {
            drawTooSmall(width: width, height: height, theme: theme, interactive: model.chrome.isInteractive, into: &buffer)
            return buffer
        }
        // Draw from a state that fits this snapshot and size (the loop clamps too).
        var state = model.state
        state.clamp(to: model.snapshot, layout: layout)
        state.clampHistory(to: model.history)
        let context = RenderContext(snapshot: model.snapshot, state: state, chrome: model.chrome, theme: theme,
                                    layout: layout)

        HeaderView(context: context).render(in: layout.header, into: &buffer)
        switch state.view {
        case .dashboard:
            DashboardView(context: context).render(in: buffer.area, into: &buffer)
        case .failures:
            let body = Rect(x: 0, y: layout.header.maxY, width: width, height: layout.hint.y - layout.header.maxY)
            FailuresView(context: context).render(in: body, into: &buffer)
        case .history:
            let body = Rect(x: 0, y: layout.header.maxY, width: width, height: layout.hint.y - layout.header.maxY)
            HistoryView(context: context, history: model.history).render(in: body, into: &buffer)
        }
        HintLine(context: context).render(in: layout.hint, into: &buffer)

        let overlayArea = Rect(x: 0, y: 0, width: width, height: height - 1)
        switch state.overlay {
        case .help?:
            HelpOverlay(context: context).render(in: overlayArea, into: &buffer)
        case .taskDetail(let row)?:
            let current = model.snapshot.tasks.rows.first { $0.task.id == row.task.id } ?? row
            TaskDetailOverlay(context: context, row: current).render(in: overlayArea, into: &buffer)
        case .points(let prompt)?:
            PointsPromptOverlay(context: context, prompt: prompt).render(in: overlayArea, into: &buffer)
        case .taskForm(let form)?:
            TaskFormOverlay(context: context, form: form).render(in: overlayArea, into: &buffer)
        case .confirmDelete(let row)?:
            ConfirmDeleteOverlay(context: context, row: row).render(in: overlayArea, into: &buffer)
        case .confirmDeleteMarked(let ids)?:
            ConfirmDeleteMarkedOverlay(context: context, ids: ids).render(in: overlayArea, into: &buffer)
        case .energy?:
            EnergyOverlay(context: context).render(in: overlayArea, into: &buffer)
        case .habitDetail(let habitID)?:
            if let habit = model.snapshot.habits.first(where: { $0.id == habitID }) {
                HabitDetailOverlay(context: context, habit: habit).render(in: overlayArea, into: &buffer)
            }
        case nil:
            break
        }
        return buffer
    }

    /// "terminal too small — needs 60×15", centred, with the current size under it (and, on a
    /// terminal, the key that quits).
    static func drawTooSmall(width: Int, height: Int, theme: Theme, interactive: Bool, into buffer: inout Buffer) {
        let notice = "terminal too small — needs \(DashboardLayout.minimumWidth)×\(DashboardLayout.minimumHeight)"
        let middle = max(0, (height - 1) / 2)
        buffer.putCentered(notice, in: Rect(x: 0, y: middle, width: width, height: 1), style: theme.style(.warn))
        if height >= 3 {
            buffer.putCentered("now \(width)×\(height)" + (interactive ? " · q quits" : ""), in: Rect(x: 0, y: middle + 1, width: width, height: 1),
                               style: theme.style(.muted))
        }
    }
}
