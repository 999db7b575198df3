import TallyCore

extension ViewState {
    /// Which keys are live now (see `Keymap`).
    public func keyMode(tooSmall: Bool = false) -> KeyMode {
        if tooSmall { return .tooSmall }
        if case .points = overlay { return .pointsInput }
        if searchDraft != nil { return .searchInput }
        switch overlay {
        case .help: return .help
        case .taskDetail: return .taskDetail
        case .taskForm: return .taskForm
        case .confirmDelete, .confirmDeleteMarked: return .confirmDelete
        case .habitDetail: return .habitDetail
        case .energy: return .energy
        case .points, nil: return viewKeyMode
        }
    }

    /// The keys of the full-screen view under any overlay: the hint line and the help show these.
    public var viewKeyMode: KeyMode {
        switch view {
        case .dashboard: return .dashboard
        case .failures: return .failures
        case .history: return .history
        }
    }

    /// Applies a key (or mouse event) and returns what the rest of Tally must do. `Keymap` says
    /// what each key means in each mode; the mode's handler carries the action out.
    ///
    /// `width` and `height` are the terminal's, so paging and mouse hits match what is drawn.
    public mutating func handle(_ key: Key, snapshot: Snapshot, width: Int, height: Int) -> [Effect] {
        let effects = handleKey(key, snapshot: snapshot, width: width, height: height)
        noteSelectedItems(in: snapshot)
        return effects
    }

    private mutating func handleKey(_ key: Key, snapshot: Snapshot, width: Int, height: Int) -> [Effect] {
        let layout = DashboardLayout.compute(width: width, height: height, snapshot: snapshot)
        let mode = keyMode(tooSmall: layout.isTooSmall)
        if key == .resize, mode == .dashboard {
            clamp(to: snapshot, layout: layout)
            return reloadIfNeeded(snapshot, layout: layout)
        }
        if case .paste(let text) = key {
            // Newlines and tabs of a paste are spaces in a one-line field, never Enter or Tab.
            guard mode.takesText else { return [] }
            for c in text { _ = type(c.isNewline || c == "\t" ? " " : c, in: mode) }
            return []
        }
        guard let action = Keymap.action(for: key, in: mode) else {
            if mode.takesText, case .char(let c) = key { return type(c, in: mode) }
            return []
        }
        if let effects = handleAnywhere(action) { return effects }
        switch mode {
        case .tooSmall: return []
        case .help:
            if action == .closeOverlay { overlay = nil }
            return []
        case .taskDetail:
            guard case .taskDetail(let row) = overlay else { return [] }
            return handleTaskDetail(action, row: snapshot.tasks.rows.first { $0.task.id == row.task.id } ?? row, snapshot: snapshot)
        case .searchInput: return handleSearch(action, layout: layout)
        case .taskForm: return handleForm(action)
        case .confirmDelete:
            if case .confirmDeleteMarked(let ids) = overlay {
                overlay = nil
                guard action == .confirm else { return [.message("Kept the \(Self.count(ids.count, "marked task")).")] }
                marks = []
                return [.batch(ids.map { AnyWriteIntent(DeleteTask.Intent(taskID: $0)) }, verb: "deleted")]
            }
            guard case .confirmDelete(let row) = overlay else { return [] }
            overlay = nil
            return action == .confirm ? [.deleteTask(taskID: row.task.id)] : [.message("Kept “\(Self.shortTitle(row))”.")]
        case .energy:
            if action == .closeOverlay { overlay = nil }
            return []
        case .pointsInput: return handlePoints(action)
        case .habitDetail:
            guard case .habitDetail(let habitID) = overlay else { return [] }
            if action == .closeOverlay { overlay = nil }
            return action == .checkInHabit ? checkIn(habitID: habitID, snapshot: snapshot) : []
        case .failures: return handleFailures(action, key: key, snapshot: snapshot, height: height)
        case .history: return handleHistory(action)
        case .dashboard: return handleDashboard(action, key: key, snapshot: snapshot, layout: layout)
        }
    }

    /// Actions that mean the same in every mode that has them.
    private mutating func handleAnywhere(_ action: Action) -> [Effect]? {
        switch action {
        case .quit: return [.quit]
        case .redraw: return [.redraw]
        case .refresh: return [.refresh]
        case .nextTheme: return [.nextTheme]
        case .undo: return [.undo]
        case .showHelp: overlay = .help; return []
        case .showEnergy: overlay = .energy; return []
        case .toggleFailures:
            view = view == .failures ? .dashboard : .failures
            return []
        case .toggleHistory:
            toggleHistory()
            return []
        case .leaveView:
            view = .dashboard
            return []
        default: return nil
        }
    }

    private mutating func handleTaskDetail(_ action: Action, row: TaskRow, snapshot: Snapshot) -> [Effect] {
        switch action {
        case .closeOverlay: overlay = nil; return []
        case .complete: overlay = nil; return complete(row)
        case .completeWithPoints: return promptPoints(for: row)
        case .editTask: return openEditForm(row, snapshot: snapshot)
        default: return []
        }
    }

    /// The new position after a movement action, or nil when `action` is not one.
    func movement(_ action: Action, current: Int, count: Int, page: Int) -> Int? {
        let target: Int
        switch action {
        case .moveDown: target = current + 1
        case .moveUp: target = current - 1
        case .moveFirst: target = 0
        case .moveLast: target = count - 1
        case .pageDown: target = current + max(1, page)
        case .pageUp: target = current - max(1, page)
        default: return nil
        }
        return max(0, min(count - 1, target))
    }

    func reloadIfNeeded(_ snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        snapshotCovers(snapshot, visibleRows: layout.visibleTaskRows) ? [] : [.reload]
    }

    mutating func filtersChanged() -> [Effect] {
        selectedTaskID = nil
        selection = 0
        scrollTop = 0
        return [.reload]
    }

    /// "1 task", "5 tasks".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func shortTitle(_ row: TaskRow) -> String {
        DisplayWidth.truncate(TextSafety.sanitize(row.task.title), to: 40)
    }

    mutating func complete(_ row: TaskRow) -> [Effect] {
        let title = Self.shortTitle(row)
        if row.task.taskStatus == .done {
            return [.message("“\(title)” is already done.")]
        }
        if row.isPending {
            return [.message("“\(title)” is already waiting for the primary.")]
        }
        return [.complete(taskID: row.task.id, points: nil)]
    }

    mutating func promptPoints(for row: TaskRow) -> [Effect] {
        if row.task.taskStatus == .done {
            return [.message("“\(DisplayWidth.truncate(TextSafety.sanitize(row.task.title), to: 40))” is already done.")]
        }
        overlay = .points(PointsPrompt(taskID: row.task.id, title: TextSafety.sanitize(row.task.title),
                                       defaultPoints: row.task.effectivePoints))
        return []
    }
}
