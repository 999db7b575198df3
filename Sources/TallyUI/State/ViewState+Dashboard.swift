import TallyCore

/// The dashboard's keys and mouse: what `Keymap`'s actions do to the focused pane.
extension ViewState {
    mutating func handleDashboard(_ action: Action, key: Key, snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        switch action {
        case .nextPane, .previousPane:
            let panes = layout.panes.filter { $0 != .cache }
            let index = panes.firstIndex(of: focus) ?? 0
            let step = action == .nextPane ? 1 : panes.count - 1
            focus = panes[(index + step) % panes.count]
            return []
        case .filterClient:
            guard case .char(let c) = key else { return [] }
            return filterClient(number: Int(String(c)) ?? 0, snapshot: snapshot)
        case .cycleStatus:
            statusFilter = statusFilter.next
            return filtersChanged()
        case .startSearch:
            searchDraft = search
            return []
        case .cycleOrder:
            return changeOrder(to: order.cycled)
        case .reverseOrder:
            return changeOrder(to: order.flipped, reversing: snapshot)
        case .clearFilters:
            // Marks first: Esc takes back the last thing set up, and marks are what a key acts on.
            if !marks.isEmpty {
                marks = []
                return []
            }
            if focus != .tasks, clientFilter == nil, search.isEmpty, statusFilter == .active {
                focus = .tasks
                return []
            }
            guard clientFilter != nil || !search.isEmpty || statusFilter != .active else { return [] }
            clientFilter = nil
            search = ""
            statusFilter = .active
            clientCursor = 0
            return filtersChanged()
        case .mouse:
            guard case .mouse(let event) = key else { return [] }
            return handleMouse(event, snapshot: snapshot, layout: layout)
        default:
            break
        }
        if let effects = handleInFocusedPane(action, snapshot: snapshot, layout: layout) { return effects }

        let total = snapshot.tasks.total
        let visible = max(1, layout.visibleTaskRows)
        if let moved = movement(action, current: selection, count: total, page: visible) {
            selectTask(at: moved, in: snapshot)
            focus = .tasks
            scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: visible, count: total)
            return reloadIfNeeded(snapshot, layout: layout)
        }
        switch action {
        case .open:
            guard let row = selectedTask(in: snapshot) else { return [] }
            overlay = .taskDetail(row)
            return []
        case .toggleMark:
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            if let index = marks.firstIndex(of: row.task.id) { marks.remove(at: index) } else { marks.append(row.task.id) }
            // The cursor moves on, so a run of tasks is marked one key each.
            focus = .tasks
            guard selection + 1 < total else { return [] }
            selectTask(at: selection + 1, in: snapshot)
            scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: visible, count: total)
            return reloadIfNeeded(snapshot, layout: layout)
        case .complete:
            if !marks.isEmpty { return batch(marks.map { AnyWriteIntent(CompleteTask.Intent(taskID: $0)) }, verb: "completed") }
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            return complete(row)
        case .completeWithPoints:
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            return promptPoints(for: row)
        case .addTask:
            overlay = .taskForm(TaskForm(clients: Self.clientChoices(snapshot), clientID: clientFilter, status: statusFilter))
            return []
        case .editTask:
            if !marks.isEmpty {
                overlay = .taskForm(TaskForm(batch: marks, clients: Self.clientChoices(snapshot)))
                return []
            }
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            return openEditForm(row, snapshot: snapshot)
        case .promoteTask:
            // Marked tasks become active; one already active is left as it is ("unchanged").
            if !marks.isEmpty {
                return batch(marks.map { AnyWriteIntent(EditTask.Intent(taskID: $0, values: [.status: .text("active")])) },
                             verb: "promoted")
            }
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            if row.task.taskStatus == .active { return [.message("“\(Self.shortTitle(row))” is already active.")] }
            if row.task.taskStatus == .done { return [.message("“\(Self.shortTitle(row))” is done.")] }
            return [.promote(taskID: row.task.id)]
        case .moveTaskDown, .moveTaskUp:
            let down = action == .moveTaskDown
            // A move swaps sort orders: in any other order the task would not move on screen.
            guard order == .workos else {
                return [.message("J and K move a task in WorkOS's own order: o until the title names no order.")]
            }
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            let page = snapshot.tasks
            let position = page.index(of: row.task.id) ?? selection
            let neighbourIndex = position + (down ? 1 : -1) - page.offset
            guard neighbourIndex >= 0, neighbourIndex < page.rows.count, position + (down ? 1 : -1) < page.total else {
                return [.message(down ? "It is already last." : "It is already first.")]
            }
            let neighbour = page.rows[neighbourIndex]
            // The selection stays on the task being moved: the next page finds it in its new place.
            selection = position + (down ? 1 : -1)
            scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: max(1, layout.visibleTaskRows),
                                           count: page.total)
            return [.moveTask(taskID: row.task.id, past: neighbour.task.id, down: down)]
        case .deleteTask:
            if !marks.isEmpty {
                overlay = .confirmDeleteMarked(marks)
                return []
            }
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            overlay = .confirmDelete(row)
            return []
        default:
            return []
        }
    }

    /// A batch over the marked tasks; the marks have done their work.
    mutating func batch(_ intents: [AnyWriteIntent], verb: String) -> [Effect] {
        marks = []
        return [.batch(intents, verb: verb)]
    }

    /// Sorts the task list anew. The selected task stays selected, on the same row of the screen
    /// (the page read for the new order is read around it).
    ///
    /// - Parameter snapshot: the list on screen, when `new` reverses its order: the selected task
    ///   is then looked for first where the reversal puts it, as far from the end as it was from
    ///   the start, so the page around it is read at once instead of its place being counted
    ///   along the list (up to 100,000 tasks; the reader still counts it if the list changed).
    public mutating func changeOrder(to new: TaskOrder, reversing snapshot: Snapshot? = nil) -> [Effect] {
        let total = snapshot?.tasks.total ?? 0
        let mirrored = snapshot.map { new == order.flipped && queriesSameList($0.query) } == true && selection < total
        order = new
        if selectedTaskID != nil {
            let row = selection - scrollTop
            screenRowToKeep = row
            if mirrored {
                selection = total - 1 - selection
                scrollTop = max(0, selection - row)
            }
            selectionFromOtherOrder = !mirrored
        } else {
            selection = 0
            scrollTop = 0
        }
        return [.reload]
    }

    static func clientChoices(_ snapshot: Snapshot) -> [TaskForm.ClientChoice] {
        snapshot.clients.map { TaskForm.ClientChoice(id: $0.client.id, name: TextSafety.sanitize($0.client.name)) }
    }

    mutating func openEditForm(_ row: TaskRow, snapshot: Snapshot) -> [Effect] {
        if row.isPending { return [.message("“\(Self.shortTitle(row))” is waiting for the primary; edit it once it is written.")] }
        overlay = .taskForm(TaskForm(editing: row.task, clients: Self.clientChoices(snapshot)))
        return []
    }

    /// Movement and Enter in the clients, habits and sync panes; nil when the tasks pane takes them.
    private mutating func handleInFocusedPane(_ action: Action, snapshot: Snapshot, layout: DashboardLayout) -> [Effect]? {
        switch focus {
        case .clients:
            let count = snapshot.clients.count + 1
            let rows = max(1, layout.visibleClientRows)
            if let moved = movement(action, current: clientCursor, count: count, page: rows) {
                clientCursor = moved
                clientScroll = Table.scrollOffset(selected: moved, offset: clientScroll, visible: rows, count: count)
                return []
            }
            if action == .open { return filterClient(number: clientCursor, snapshot: snapshot) }
        case .habits:
            let count = snapshot.habits.count
            let rows = max(1, layout.visibleHabitRows)
            if let moved = movement(action, current: habitCursor, count: max(1, count), page: rows) {
                habitCursor = moved
                habitScroll = Table.scrollOffset(selected: moved, offset: habitScroll, visible: rows, count: count)
                return []
            }
            switch action {
            case .open:
                guard let habit = selectedHabit(in: snapshot) else { return [.message("There are no habits.")] }
                overlay = .habitDetail(habitID: habit.id)
                return []
            case .complete, .checkInHabit, .toggleMark:
                guard let habit = selectedHabit(in: snapshot) else { return [.message("There are no habits.")] }
                return checkIn(habitID: habit.id, snapshot: snapshot)
            case .completeWithPoints, .addTask, .editTask, .promoteTask, .moveTaskDown, .moveTaskUp, .deleteTask:
                return [.message("Tab to the tasks pane for that.")]
            default:
                break
            }
        case .sync:
            if action == .open {
                view = .failures
                return []
            }
        case .tasks, .cache:
            break
        }
        return nil
    }

    /// Checks a habit in, unless today's check-in is already shown or on its way.
    mutating func checkIn(habitID: Int64, snapshot: Snapshot) -> [Effect] {
        let name = snapshot.habits.first { $0.id == habitID }.map { DisplayWidth.truncate(TextSafety.sanitize($0.name), to: 40) } ?? "That habit"
        if snapshot.habitsDone.contains(habitID) { return [.message("“\(name)” is already done today.")] }
        if snapshot.pendingHabits.contains(habitID) { return [.message("“\(name)” is already waiting for the primary.")] }
        return [.checkInHabit(habitID: habitID)]
    }

    private mutating func filterClient(number: Int, snapshot: Snapshot) -> [Effect] {
        if number == 0 {
            guard clientFilter != nil else { return [] }
            clientFilter = nil
            clientCursor = 0
            return filtersChanged()
        }
        guard number <= snapshot.clients.count else {
            return [.message(snapshot.clients.isEmpty ? "There are no clients." : "There is no client \(number); 1–\(min(9, snapshot.clients.count)) pick one, 0 shows all.")]
        }
        let id = snapshot.clients[number - 1].client.id
        // The same number again goes back to all clients.
        clientFilter = clientFilter == id ? nil : id
        clientCursor = clientFilter == nil ? 0 : number
        return filtersChanged()
    }

    private mutating func handleMouse(_ event: MouseEvent, snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        let pane = layout.pane(atX: event.x, y: event.y)
        let total = snapshot.tasks.total
        let visible = max(1, layout.visibleTaskRows)
        switch (event.kind, pane) {
        case (.click, .tasks?):
            focus = .tasks
            let row = event.y - layout.firstTaskRowY
            guard row >= 0, row < visible, scrollTop + row < total else { return [] }
            selectTask(at: scrollTop + row, in: snapshot)
            return reloadIfNeeded(snapshot, layout: layout)
        case (.click, .clients?):
            focus = .clients
            guard let rect = layout.clients else { return [] }
            let index = clientScroll + event.y - (rect.y + 1)
            guard event.y > rect.y, event.y < rect.maxY - 1, index <= snapshot.clients.count else { return [] }
            clientCursor = index
            return filterClient(number: index, snapshot: snapshot)
        case (.click, .habits?):
            focus = .habits
            guard let rect = layout.habits else { return [] }
            let count = snapshot.habits.count
            let offset = Table.scrollOffset(selected: habitCursor, offset: habitScroll, visible: max(1, layout.visibleHabitRows), count: count)
            let index = offset + event.y - (rect.y + 2)
            guard event.y >= rect.y + 2, event.y < rect.maxY - 1, index < count else { return [] }
            habitCursor = index
            habitScroll = offset
            return []
        case (.click, let other?):
            if other != .cache { focus = other }
            return []
        case (.wheelUp, .habits?), (.wheelDown, .habits?):
            let maxScroll = max(0, snapshot.habits.count - max(1, layout.visibleHabitRows))
            habitScroll = max(0, min(maxScroll, habitScroll + (event.kind == .wheelDown ? 3 : -3)))
            let rows = max(1, layout.visibleHabitRows)
            habitCursor = max(habitScroll, min(habitScroll + rows - 1, habitCursor))
            return []
        case (.wheelUp, .clients?), (.wheelDown, .clients?):
            let maxScroll = max(0, snapshot.clients.count + 1 - max(1, layout.visibleClientRows))
            clientScroll = max(0, min(maxScroll, clientScroll + (event.kind == .wheelDown ? 3 : -3)))
            return []
        case (.wheelUp, _), (.wheelDown, _):
            guard total > 0 else { return [] }
            selectTask(at: max(0, min(total - 1, selection + (event.kind == .wheelDown ? 3 : -3))), in: snapshot)
            scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: visible, count: total)
            return reloadIfNeeded(snapshot, layout: layout)
        case (.click, nil):
            return []
        }
    }
}
