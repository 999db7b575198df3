import TallyCore

/// The selection follows items, not rows. Each list keeps the selected item's id beside its
/// index: a key that moves the cursor sets the index (and takes the id of the row there); a new
/// snapshot moves the index to wherever that id now is. When the item left its list, the
/// cursor stays at its index, on the item that now sits there, and the status line says where
/// the task went.
extension ViewState {
    /// Selects the task at absolute index `index` of the list; its id is taken from the page when
    /// the page holds that row, otherwise once a page that does is read.
    mutating func selectTask(at index: Int, in snapshot: Snapshot) {
        selection = index
        selectedTaskID = taskRow(at: index, in: snapshot)?.task.id
    }

    /// Selects task `id` wherever it is: the next page read finds it (after `a`, the new task).
    public mutating func selectTask(id: Int64) {
        selectedTaskID = id
    }

    func taskRow(at index: Int, in snapshot: Snapshot) -> TaskRow? {
        guard queriesSameList(snapshot.query) else { return nil }
        let page = snapshot.tasks
        let local = index - page.offset
        guard index < page.total, local >= 0, local < page.rows.count else { return nil }
        return page.rows[local]
    }

    /// Takes the ids of the rows under the cursors where they are not known yet (tasks) or
    /// where a key moved the cursor (habits, clients, failures: those lists are whole in the
    /// snapshot).
    mutating func noteSelectedItems(in snapshot: Snapshot) {
        if selectedTaskID == nil { selectedTaskID = taskRow(at: selection, in: snapshot)?.task.id }
        selectedHabitID = snapshot.habits.indices.contains(habitCursor) ? snapshot.habits[habitCursor].id : nil
        cursorClientID = clientCursor > 0 && clientCursor <= snapshot.clients.count
            ? snapshot.clients[clientCursor - 1].client.id : nil
        selectedFailureID = snapshot.failures.indices.contains(failureSelection) ? snapshot.failures[failureSelection].id : nil
    }

    /// Moves each cursor to where its item is in `snapshot`. Returns what to tell the person
    /// when the selected task (or habit) left its list, if `previous` is given.
    mutating func follow(_ snapshot: Snapshot, announcing previous: Snapshot?) -> String? {
        let taskNews = followTask(snapshot, announcing: previous)
        // Marks the page looked for and the list no longer holds leave the marks; a mark made
        // since the page was read stays until a page looks for it.
        if queriesSameList(snapshot.query) {
            let asked = Set(snapshot.query.marks)
            marks.removeAll { asked.contains($0) && !snapshot.tasks.marked.contains($0) }
        }

        var habitNews: String?
        if let id = selectedHabitID {
            if let index = snapshot.habits.firstIndex(where: { $0.id == id }) {
                habitCursor = index
            } else if let previous, focus == .habits, view == .dashboard,
                      let habit = previous.habits.first(where: { $0.id == id }) {
                habitNews = "“\(Self.short(habit.name))” left the habits list (no longer active)"
            }
        }
        if let id = cursorClientID, let index = snapshot.clients.firstIndex(where: { $0.client.id == id }) {
            clientCursor = index + 1
        }
        if let id = selectedFailureID, let index = snapshot.failures.firstIndex(where: { $0.id == id }) {
            failureSelection = index
        }
        return taskNews ?? habitNews
    }

    private mutating func followTask(_ snapshot: Snapshot, announcing previous: Snapshot?) -> String? {
        guard let id = selectedTaskID, queriesSameList(snapshot.query) else { return nil }
        selectionFromOtherOrder = false
        let page = snapshot.tasks
        if let index = page.index(of: id) {
            selection = index
            // Re-sorted: the task keeps its row on screen.
            if let row = screenRowToKeep {
                scrollTop = max(0, index - row)
                screenRowToKeep = nil
            }
            return nil
        }
        screenRowToKeep = nil
        // Not on this page: either the page was read without looking for it (read again, with
        // the anchor), or the task left the list.
        guard snapshot.query.anchor?.id == id, case .left(let now)? = page.anchor else { return nil }
        selectedTaskID = nil
        let title = now?.title ?? previous?.tasks.rows.first { $0.task.id == id }?.task.title
        guard let previous, let title else { return nil }
        // A task added while the primary was away gets the primary's id when it is written: the
        // same task, under a new id, in the same place.
        if now == nil, let there = taskRow(at: selection, in: snapshot), there.task.title == title,
           previous.tasks.index(of: there.task.id) == nil {
            return nil
        }
        return departure(of: Self.short(title), now: now, snapshot: snapshot)
    }

    /// Where a task that left the list went, in words.
    func departure(of title: String, now: WorkTask?, snapshot: Snapshot) -> String {
        guard let task = now else { return "“\(title)” was deleted" }
        let shown: String
        switch statusFilter {
        case .active, .queued, .backlog: shown = statusFilter.rawValue
        case .doneToday: shown = "done"
        case .all: shown = task.status ?? ""
        }
        if (task.status ?? "") != shown {
            return "“\(title)” moved to \(TextSafety.sanitize(task.status ?? "no status"))"
        }
        if let client = clientFilter, task.clientID != client {
            let name = task.clientID.flatMap { id in snapshot.clients.first { $0.client.id == id } }
                .map { TextSafety.sanitize($0.client.name) }
            return "“\(title)” moved to \(name ?? "another client")"
        }
        return "“\(title)” no longer matches the filter"
    }

    static func short(_ text: String) -> String {
        DisplayWidth.truncate(TextSafety.sanitize(text), to: 40)
    }
}
