import TallyCore

/// What the person is looking at: the view, the focused pane, filters, search, selection and
/// any overlay. Changed only by `handle(_:snapshot:width:height:)`; the snapshot holds the data.
///
/// A selection is an item, not a row: the selected task, habit, client and failure are kept by
/// id, so a reload that puts rows above one (a sync, `R`, another program) moves the highlight
/// with it, and a key acts on the item that was highlighted. The task selection also has an
/// absolute index into the whole filtered list, where it is drawn; the snapshot holds only a page
/// of that list (`snapshot.tasks.offset`, `.rows`, `.total`), which `taskQuery(width:height:)`
/// asks for around the selected task, wherever it now sits (see `ViewState+Selection`).
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
        /// `D` with marks: delete these marked tasks? (`y` deletes them all.)
        case confirmDeleteMarked([Int64])
        /// `E`: today's readiness and energy, and why the target is what it is.
        case energy
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

    /// The selected task's id: what `Enter`, `c`, `e` and the rest act on. Nil until a page
    /// holding the row at `selection` has been read (after a filter change or a long jump).
    public var selectedTaskID: Int64?
    /// Marked tasks (`Space`), by id, in the order marked: with marks, `c`, `>`, `D` and the
    /// form's client, tier and status act on all of them as one batch. A marked task that leaves
    /// the list (completed, filtered out, deleted) leaves the marks.
    public var marks: [Int64] = []
    /// The task list's order (`o`, `O`; the config's `sort` to begin with).
    public var order: TaskOrder = .workos
    /// Where on screen the selected task was when the order changed: the re-sorted page keeps
    /// it on that row.
    var screenRowToKeep: Int?
    /// Whether `selection` is the selected task's place in the order before a new sort (until
    /// the page for the new order arrives): the query then says its place is not known.
    var selectionFromOtherOrder = false
    /// Absolute index of the selected task in the filtered list.
    public var selection: Int = 0
    /// Absolute index of the first task row on screen.
    public var scrollTop: Int = 0

    /// The clients pane's cursor: 0 is "all clients", n the nth client.
    public var clientCursor: Int = 0
    /// The client under the cursor (nil on "all clients").
    public var cursorClientID: Int64?
    public var clientScroll: Int = 0
    public var habitScroll: Int = 0
    /// The habits pane's selected row (an index into the snapshot's habits).
    public var habitCursor: Int = 0
    /// The habit under the cursor.
    public var selectedHabitID: Int64?

    public var failureSelection: Int = 0
    /// The failure selected in the failures view.
    public var selectedFailureID: Int64?
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
                         offset: max(0, scrollTop - visible), limit: Self.pageLimit(visibleRows: visible),
                         anchor: selectedTaskID.map { TaskAnchor(id: $0, index: selection, placeKnown: !selectionFromOtherOrder) },
                         order: order, marks: marks)
    }

    /// The query for the dashboard at this terminal size.
    public func taskQuery(width: Int, height: Int) -> TaskQuery {
        taskQuery(visibleRows: DashboardLayout.compute(width: width, height: height).visibleTaskRows)
    }

    /// Whether `snapshot` was built for these filters and its page holds every row on screen
    /// and the selected task.
    public func snapshotCovers(_ snapshot: Snapshot, visibleRows: Int) -> Bool {
        guard queriesSameList(snapshot.query) else { return false }
        let page = snapshot.tasks
        if let id = selectedTaskID, page.index(of: id) == nil { return false }
        let end = min(page.total, scrollTop + max(1, visibleRows))
        guard end > scrollTop else { return true }
        return scrollTop >= page.offset && end <= page.offset + page.rows.count
    }

    /// Whether `query` asks for the list these filters show.
    func queriesSameList(_ query: TaskQuery) -> Bool {
        query.clientID == clientFilter && query.status == statusFilter && query.search == search && query.order == order
    }

    /// Whether task `id` is marked.
    public func isMarked(_ id: Int64) -> Bool { marks.contains(id) }

    /// The selected task, when its row is in the snapshot's page: by id once it has one, so a
    /// key acts on the task that was highlighted even if rows moved under it since.
    public func selectedTask(in snapshot: Snapshot) -> TaskRow? {
        let page = snapshot.tasks
        if let id = selectedTaskID { return page.rows.first { $0.task.id == id } }
        let index = selection - page.offset
        guard selection < page.total, index >= 0, index < page.rows.count else { return nil }
        return page.rows[index]
    }

    /// The habit under the habits pane's cursor.
    public func selectedHabit(in snapshot: Snapshot) -> Habit? {
        if let id = selectedHabitID { return snapshot.habits.first { $0.id == id } }
        return snapshot.habits.indices.contains(habitCursor) ? snapshot.habits[habitCursor] : nil
    }

    /// The selected failure in the failures view.
    public func selectedFailure(in snapshot: Snapshot) -> SyncFailure? {
        if let id = selectedFailureID { return snapshot.failures.first { $0.id == id } }
        return snapshot.failures.indices.contains(failureSelection) ? snapshot.failures[failureSelection] : nil
    }

    /// Follows the selected task, habit, client and failure into a new snapshot (each to where
    /// its row now is, or to the row now in its place when it left), keeps the scroll inside it,
    /// and says whether the snapshot must be rebuilt for the rows now on screen.
    ///
    /// - Parameter previous: the snapshot shown before, when the change came from elsewhere (a
    ///   sync, another program): a selected task that left the list is then said where it went.
    public mutating func adopt(_ snapshot: Snapshot, width: Int, height: Int, announcing previous: Snapshot? = nil) -> [Effect] {
        let layout = DashboardLayout.compute(width: width, height: height, snapshot: snapshot)
        var effects = follow(snapshot, announcing: previous).map { [Effect.message($0)] } ?? []
        clamp(to: snapshot, layout: layout)
        if !snapshotCovers(snapshot, visibleRows: layout.visibleTaskRows) { effects.insert(.reload, at: 0) }
        return effects
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
        noteSelectedItems(in: snapshot)
    }
}
