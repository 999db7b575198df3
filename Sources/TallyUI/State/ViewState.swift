import TallyCore

/// What the person is looking at: the view, the focused pane, filters, search, selection and
/// any overlay. Changed only by `handle(_:snapshot:width:height:)`; the snapshot holds the data.
///
/// The task selection is an absolute index into the whole filtered list; the snapshot holds only
/// a page of it (`snapshot.tasks.offset`, `.rows`, `.total`), which `taskQuery(width:height:)`
/// asks for around the selection.
public struct ViewState: Equatable, Sendable {
    /// The full-screen view.
    public enum View: String, Sendable, CaseIterable {
        case dashboard, failures, history
    }

    /// A pane of the dashboard (Tab moves the focus between them).
    public enum Pane: String, CaseIterable, Sendable {
        case clients, tasks, habits, sync, cache
    }

    /// A box over the screen that takes the keys until it closes.
    public enum Overlay: Equatable, Sendable {
        case help
        /// The task as it was when opened; the view shows the snapshot's newer copy when it has one.
        case taskDetail(TaskRow)
        case points(PointsPrompt)
        /// The `a` / `e` form.
        case taskForm(TaskForm)
        /// `D`: delete this task? (`y` deletes.)
        case confirmDelete(TaskRow)
        /// `Enter` in the habits pane: this habit's streaks and last 30 days.
        case habitDetail(habitID: Int64)
    }

    /// The `p` prompt: points typed for a task before completing it.
    public struct PointsPrompt: Equatable, Sendable {
        public var taskID: Int64
        public var title: String
        /// What the task is worth if nothing is typed.
        public var defaultPoints: Int
        public var input: String
        /// Why the last key was refused.
        public var error: String?

        public init(taskID: Int64, title: String, defaultPoints: Int, input: String = "", error: String? = nil) {
            self.taskID = taskID
            self.title = title
            self.defaultPoints = defaultPoints
            self.input = input
            self.error = error
        }
    }

    public var view: View
    public var focus: Pane = .tasks
    public var overlay: Overlay?
    /// The search being typed after `/`; nil when not typing.
    public var searchDraft: String?

    public var clientFilter: Int64?
    public var statusFilter: StatusFilter = .active
    /// The applied search.
    public var search: String = ""

    /// Absolute index of the selected task in the filtered list.
    public var selection: Int = 0
    /// Absolute index of the first task row on screen.
    public var scrollTop: Int = 0

    /// The clients pane's cursor: 0 is "all clients", n the nth client.
    public var clientCursor: Int = 0
    public var clientScroll: Int = 0
    public var habitScroll: Int = 0
    /// The habits pane's selected row (an index into the snapshot's habits).
    public var habitCursor: Int = 0

    public var failureSelection: Int = 0
    public var failureScroll: Int = 0

    /// How many weeks the history view looks back from today (`←`/`[` adds one).
    public var historyWeeksBack: Int = 0

    public init(view: View = .dashboard, overlay: Overlay? = nil) {
        self.view = view
        self.overlay = overlay
    }

    /// Whether the person is typing (search or points), so letters are text, not commands.
    public var isTyping: Bool { keyMode().takesText }

    // MARK: The task query

    /// Rows loaded around the window: one screenful before and after.
    static func pageLimit(visibleRows: Int) -> Int { max(30, visibleRows * 3) }

    /// The query for a tasks pane showing `visibleRows` rows: the filters, and a page that
    /// covers the rows on screen with a screenful to spare on each side.
    public func taskQuery(visibleRows: Int) -> TaskQuery {
        let visible = max(1, visibleRows)
        return TaskQuery(clientID: clientFilter, status: statusFilter, search: search,
                         offset: max(0, scrollTop - visible), limit: Self.pageLimit(visibleRows: visible))
    }

    /// The query for the dashboard at this terminal size.
    public func taskQuery(width: Int, height: Int) -> TaskQuery {
        taskQuery(visibleRows: DashboardLayout.compute(width: width, height: height).visibleTaskRows)
    }

    /// Whether `snapshot` was built for these filters and its page holds every row on screen.
    public func snapshotCovers(_ snapshot: Snapshot, visibleRows: Int) -> Bool {
        let query = snapshot.query
        guard query.clientID == clientFilter, query.status == statusFilter, query.search == search else {
            return false
        }
        let page = snapshot.tasks
        let end = min(page.total, scrollTop + max(1, visibleRows))
        guard end > scrollTop else { return true }
        return scrollTop >= page.offset && end <= page.offset + page.rows.count
    }

    /// The selected task, when its row is in the snapshot's page.
    public func selectedTask(in snapshot: Snapshot) -> TaskRow? {
        let page = snapshot.tasks
        let index = selection - page.offset
        guard selection < page.total, index >= 0, index < page.rows.count else { return nil }
        return page.rows[index]
    }

    /// The habit under the habits pane's cursor.
    public func selectedHabit(in snapshot: Snapshot) -> Habit? {
        snapshot.habits.indices.contains(habitCursor) ? snapshot.habits[habitCursor] : nil
    }

    /// The selected failure in the failures view.
    public func selectedFailure(in snapshot: Snapshot) -> SyncFailure? {
        snapshot.failures.indices.contains(failureSelection) ? snapshot.failures[failureSelection] : nil
    }

    /// Keeps the selection and scroll inside a new snapshot (the list may have shrunk) and says
    /// whether the snapshot must be rebuilt for the rows now on screen.
    public mutating func adopt(_ snapshot: Snapshot, width: Int, height: Int) -> [Effect] {
        let layout = DashboardLayout.compute(width: width, height: height, snapshot: snapshot)
        clamp(to: snapshot, layout: layout)
        return snapshotCovers(snapshot, visibleRows: layout.visibleTaskRows) ? [] : [.reload]
    }

    mutating func clamp(to snapshot: Snapshot, layout: DashboardLayout) {
        let total = snapshot.tasks.total
        let visible = max(1, layout.visibleTaskRows)
        selection = max(0, min(selection, total - 1))
        scrollTop = Table.scrollOffset(selected: selection, offset: scrollTop, visible: visible, count: total)
        clientCursor = max(0, min(clientCursor, snapshot.clients.count))
        habitCursor = max(0, min(habitCursor, snapshot.habits.count - 1))
        failureSelection = max(0, min(failureSelection, snapshot.failures.count - 1))
        if !layout.panes.contains(focus) { focus = .tasks }
    }
}
