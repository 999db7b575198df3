/// The dashboard's panes, each where the layout puts it.
struct DashboardView: Widget {
    let context: RenderContext

    func render(in area: Rect, into buffer: inout Buffer) {
        let layout = context.layout
        let focus = context.state.focus
        if context.snapshot.holdsNoData {
            WelcomeView(context: context).render(in: layout.tasks, into: &buffer)
        } else {
            TasksPane(context: context, focused: focus == .tasks).render(in: layout.tasks, into: &buffer)
        }
        if let rect = layout.clientsLine {
            ClientsLine(context: context).render(in: rect, into: &buffer)
        }
        if let rect = layout.clients {
            ClientsPane(context: context, focused: focus == .clients).render(in: rect, into: &buffer)
        }
        if let rect = layout.habits {
            HabitsPane(context: context, focused: focus == .habits).render(in: rect, into: &buffer)
        }
        if let rect = layout.history {
            HistoryPane(context: context).render(in: rect, into: &buffer)
        }
        if let rect = layout.sync {
            SyncPane(context: context, focused: focus == .sync).render(in: rect, into: &buffer)
        }
        if let rect = layout.cache {
            CachePane(context: context).render(in: rect, into: &buffer)
        }
    }
}
