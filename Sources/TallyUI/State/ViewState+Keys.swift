import TallyCore

extension ViewState {
    /// Applies a key (or mouse event) and returns what the rest of Tally must do (the keys are listed in the README).
    ///
    /// `width` and `height` are the terminal's, so paging and mouse hits match what is drawn.
    public mutating func handle(_ key: Key, snapshot: Snapshot, width: Int, height: Int) -> [Effect] {
        let layout = DashboardLayout.compute(width: width, height: height, snapshot: snapshot)
        if key == .ctrl("c") { return [.quit] }
        if layout.isTooSmall {
            // Only quitting and redrawing make sense on the "too small" screen.
            switch key {
            case .char("q"): return [.quit]
            case .ctrl("l"): return [.redraw]
            default: return []
            }
        }
        if case .points(let prompt) = overlay { return handlePoints(key, prompt: prompt) }
        if let draft = searchDraft { return handleSearch(key, draft: draft, snapshot: snapshot, layout: layout) }
        switch overlay {
        case .help:
            switch key {
            case .escape, .enter, .char("?"), .char("q"): overlay = nil
            case .ctrl("l"): return [.redraw]
            default: break
            }
            return []
        case .taskDetail(let row):
            let current = snapshot.tasks.rows.first { $0.task.id == row.task.id } ?? row
            switch key {
            case .escape, .enter, .char("q"): overlay = nil
            case .char("c"): overlay = nil; return complete(current)
            case .char("p"): return promptPoints(for: current)
            case .ctrl("l"): return [.redraw]
            default: break
            }
            return []
        case .points, nil:
            break
        }

        if let effects = handleGlobal(key) { return effects }
        switch view {
        case .failures: return handleFailures(key, snapshot: snapshot, layout: layout, height: height)
        case .dashboard: return handleDashboard(key, snapshot: snapshot, layout: layout)
        case .history: return handleHistory(key)
        }
    }

    /// Keys that mean the same everywhere.
    private mutating func handleGlobal(_ key: Key) -> [Effect]? {
        switch key {
        case .char("q"): return [.quit]
        case .char("R"): return [.refresh]
        case .char("t"): return [.nextTheme]
        case .char("u"): return [.undo]
        case .char("?"): overlay = .help; return []
        case .ctrl("l"): return [.redraw]
        case .char("f"):
            view = view == .failures ? .dashboard : .failures
            return []
        case .char("h"):
            toggleHistory()
            return []
        default: return nil
        }
    }

    // MARK: Dashboard

    private mutating func handleDashboard(_ key: Key, snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        let total = snapshot.tasks.total
        let visible = max(1, layout.visibleTaskRows)
        switch key {
        case .tab, .backTab:
            let panes = layout.panes.filter { $0 != .cache }
            let index = panes.firstIndex(of: focus) ?? 0
            let step = key == .tab ? 1 : panes.count - 1
            focus = panes[(index + step) % panes.count]
            return []
        case .char(let c) where c.isASCII && c.isNumber:
            return filterClient(number: Int(String(c)) ?? 0, snapshot: snapshot, layout: layout)
        case .char("s"):
            statusFilter = statusFilter.next
            return filtersChanged(layout: layout)
        case .char("/"):
            searchDraft = search
            return []
        case .escape:
            if focus != .tasks, clientFilter == nil, search.isEmpty, statusFilter == .active {
                focus = .tasks
                return []
            }
            guard clientFilter != nil || !search.isEmpty || statusFilter != .active else { return [] }
            clientFilter = nil
            search = ""
            statusFilter = .active
            clientCursor = 0
            return filtersChanged(layout: layout)
        case .resize:
            clamp(to: snapshot, layout: layout)
            return reloadIfNeeded(snapshot, layout: layout)
        case .mouse(let event):
            return handleMouse(event, snapshot: snapshot, layout: layout)
        default:
            break
        }

        switch focus {
        case .clients:
            let count = snapshot.clients.count + 1
            let rows = max(1, (layout.clients?.height ?? 3) - 2)
            if let moved = movement(key, current: clientCursor, count: count, page: rows) {
                clientCursor = moved
                clientScroll = Table.scrollOffset(selected: moved, offset: clientScroll, visible: rows, count: count)
                return []
            }
            if key == .enter {
                return filterClient(number: clientCursor, snapshot: snapshot, layout: layout)
            }
        case .habits:
            let rows = max(1, (layout.habits?.height ?? 3) - 3)
            let maxScroll = max(0, snapshot.habits.count - rows)
            if let moved = movement(key, current: habitScroll, count: maxScroll + 1, page: rows) {
                habitScroll = moved
                return []
            }
        case .sync:
            if key == .enter {
                view = .failures
                return []
            }
        case .tasks, .cache:
            break
        }

        if let moved = movement(key, current: selection, count: total, page: visible) {
            selection = moved
            focus = .tasks
            scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: visible, count: total)
            return reloadIfNeeded(snapshot, layout: layout)
        }
        switch key {
        case .enter:
            guard let row = selectedTask(in: snapshot) else { return [] }
            overlay = .taskDetail(row)
            return []
        case .char("c"):
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            return complete(row)
        case .char("p"):
            guard let row = selectedTask(in: snapshot) else { return [.message("No task selected.")] }
            return promptPoints(for: row)
        default:
            return []
        }
    }

    /// The new position after a movement key, or nil when `key` is not one.
    private func movement(_ key: Key, current: Int, count: Int, page: Int) -> Int? {
        guard count > 0 else {
            switch key {
            case .down, .up, .char("j"), .char("k"), .char("g"), .char("G"), .home, .end, .pageUp, .pageDown:
                return 0
            default: return nil
            }
        }
        let last = count - 1
        let target: Int
        switch key {
        case .down, .char("j"): target = current + 1
        case .up, .char("k"): target = current - 1
        case .char("g"), .home: target = 0
        case .char("G"), .end: target = last
        case .pageDown: target = current + max(1, page)
        case .pageUp: target = current - max(1, page)
        default: return nil
        }
        return max(0, min(last, target))
    }

    private mutating func filterClient(number: Int, snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        if number == 0 {
            guard clientFilter != nil else { return [] }
            clientFilter = nil
            clientCursor = 0
            return filtersChanged(layout: layout)
        }
        guard number <= snapshot.clients.count else {
            return [.message(snapshot.clients.isEmpty ? "There are no clients." : "There is no client \(number); 1–\(min(9, snapshot.clients.count)) pick one, 0 shows all.")]
        }
        let id = snapshot.clients[number - 1].client.id
        // The same number again goes back to all clients.
        clientFilter = clientFilter == id ? nil : id
        clientCursor = clientFilter == nil ? 0 : number
        return filtersChanged(layout: layout)
    }

    private mutating func filtersChanged(layout: DashboardLayout) -> [Effect] {
        selection = 0
        scrollTop = 0
        return [.reload]
    }

    private func reloadIfNeeded(_ snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        snapshotCovers(snapshot, visibleRows: layout.visibleTaskRows) ? [] : [.reload]
    }

    private mutating func complete(_ row: TaskRow) -> [Effect] {
        let title = DisplayWidth.truncate(TextSafety.sanitize(row.task.title), to: 40)
        if row.task.taskStatus == .done {
            return [.message("“\(title)” is already done.")]
        }
        if row.isPending {
            return [.message("“\(title)” is already waiting for the primary.")]
        }
        return [.complete(taskID: row.task.id, points: nil)]
    }

    private mutating func promptPoints(for row: TaskRow) -> [Effect] {
        if row.task.taskStatus == .done {
            return [.message("“\(DisplayWidth.truncate(TextSafety.sanitize(row.task.title), to: 40))” is already done.")]
        }
        overlay = .points(PointsPrompt(taskID: row.task.id, title: TextSafety.sanitize(row.task.title),
                                       defaultPoints: row.task.effectivePoints))
        return []
    }

    // MARK: Mouse

    private mutating func handleMouse(_ event: MouseEvent, snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        let pane = layout.pane(atX: event.x, y: event.y)
        let total = snapshot.tasks.total
        let visible = max(1, layout.visibleTaskRows)
        switch (event.kind, pane) {
        case (.click, .tasks?):
            focus = .tasks
            let row = event.y - layout.firstTaskRowY
            guard row >= 0, row < visible, scrollTop + row < total else { return [] }
            selection = scrollTop + row
            return reloadIfNeeded(snapshot, layout: layout)
        case (.click, .clients?):
            focus = .clients
            guard let rect = layout.clients else { return [] }
            let index = clientScroll + event.y - (rect.y + 1)
            guard event.y > rect.y, event.y < rect.maxY - 1, index <= snapshot.clients.count else { return [] }
            clientCursor = index
            return filterClient(number: index, snapshot: snapshot, layout: layout)
        case (.click, let other?):
            if other != .cache { focus = other }
            return []
        case (.wheelUp, .habits?), (.wheelDown, .habits?):
            let rows = max(1, (layout.habits?.height ?? 3) - 3)
            let maxScroll = max(0, snapshot.habits.count - rows)
            habitScroll = max(0, min(maxScroll, habitScroll + (event.kind == .wheelDown ? 3 : -3)))
            return []
        case (.wheelUp, .clients?), (.wheelDown, .clients?):
            let rows = max(1, (layout.clients?.height ?? 3) - 2)
            let maxScroll = max(0, snapshot.clients.count + 1 - rows)
            clientScroll = max(0, min(maxScroll, clientScroll + (event.kind == .wheelDown ? 3 : -3)))
            return []
        case (.wheelUp, _), (.wheelDown, _):
            guard total > 0 else { return [] }
            selection = max(0, min(total - 1, selection + (event.kind == .wheelDown ? 3 : -3)))
            scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: visible, count: total)
            return reloadIfNeeded(snapshot, layout: layout)
        case (.click, nil):
            return []
        }
    }

    // MARK: Failures view

    private mutating func handleFailures(_ key: Key, snapshot: Snapshot, layout: DashboardLayout, height: Int) -> [Effect] {
        let count = snapshot.failures.count
        let rows = max(1, FailuresLayout.listRows(height: height))
        if let moved = movement(key, current: failureSelection, count: count, page: rows) {
            failureSelection = moved
            failureScroll = Table.scrollOffset(selected: moved, offset: failureScroll, visible: rows, count: count)
            return []
        }
        switch key {
        case .escape:
            view = .dashboard
            return []
        case .char("r"):
            guard let failure = selectedFailure(in: snapshot) else {
                return [.retry(jobID: snapshot.recentJobs.first { $0.jobStatus == .failed || $0.jobStatus == .interrupted }?.id)]
            }
            return [.retry(jobID: failure.jobID)]
        case .mouse(let event):
            switch event.kind {
            case .click:
                let index = failureScroll + event.y - FailuresLayout.firstListRowY(height: height)
                if index >= 0, index < count, event.y >= FailuresLayout.firstListRowY(height: height) {
                    failureSelection = index
                }
            case .wheelUp, .wheelDown:
                guard count > 0 else { return [] }
                failureSelection = max(0, min(count - 1, failureSelection + (event.kind == .wheelDown ? 3 : -3)))
                failureScroll = Table.scrollOffset(selected: failureSelection, offset: failureScroll, visible: rows, count: count)
            }
            return []
        default:
            return []
        }
    }

    // MARK: Typing

    private mutating func handleSearch(_ key: Key, draft: String, snapshot: Snapshot, layout: DashboardLayout) -> [Effect] {
        switch key {
        case .char(let c):
            searchDraft = String((draft + String(c)).prefix(200))
        case .backspace, .delete:
            searchDraft = String(draft.dropLast())
        case .ctrl("u"):
            searchDraft = ""
        case .enter:
            searchDraft = nil
            let applied = TextSafety.sanitize(draft).trimmingCharacters(in: .whitespaces)
            guard applied != search else { return [] }
            search = applied
            return filtersChanged(layout: layout)
        case .escape:
            searchDraft = nil
            guard !search.isEmpty else { return [] }
            search = ""
            return filtersChanged(layout: layout)
        case .ctrl("l"):
            return [.redraw]
        default:
            break
        }
        return []
    }

    private mutating func handlePoints(_ key: Key, prompt: PointsPrompt) -> [Effect] {
        var prompt = prompt
        switch key {
        case .char(let c) where c.isASCII && c.isNumber:
            if prompt.input.count >= 4 {
                prompt.error = "At most 1000 points."
            } else {
                prompt.input.append(c)
                prompt.error = nil
            }
        case .char("-"):
            prompt.error = "Points can't be negative."
        case .char:
            prompt.error = "Digits only: points are a whole number of 0 or more."
        case .backspace, .delete:
            prompt.input = String(prompt.input.dropLast())
            prompt.error = nil
        case .ctrl("u"):
            prompt.input = ""
            prompt.error = nil
        case .escape:
            overlay = nil
            return []
        case .enter:
            if prompt.input.isEmpty {
                overlay = nil
                return [.complete(taskID: prompt.taskID, points: nil)]
            }
            do {
                let points = try Points.parse(prompt.input)
                overlay = nil
                return [.complete(taskID: prompt.taskID, points: points)]
            } catch {
                prompt.error = error.userMessage
            }
        case .ctrl("l"):
            return [.redraw]
        default:
            break
        }
        overlay = .points(prompt)
        return []
    }
}
