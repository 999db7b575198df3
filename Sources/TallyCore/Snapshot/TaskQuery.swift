/// Which tasks the task pane asks for.
public enum StatusFilter: String, CaseIterable, Sendable {
    case active, queued, backlog, doneToday = "done today", all

    /// The next filter in the order `s` cycles through.
    public var next: StatusFilter {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// The task pane's filter, search and window: a page of rows, not the whole table.
public struct TaskQuery: Equatable, Sendable {
    public var clientID: Int64?
    public var status: StatusFilter
    /// Case-insensitive substring of the title; empty for none.
    public var search: String
    public var offset: Int
    public var limit: Int
    /// The task the person has selected and where the screen last showed it: the page is read
    /// around that task wherever it now sits, and says where that is (`TaskPage.anchor`).
    public var anchor: TaskAnchor?
    /// How the list is sorted.
    public var order: TaskOrder
    /// Marked tasks: the page says which of them the list still holds (`TaskPage.marked`), so a
    /// marked task that left the list leaves the marks.
    public var marks: [Int64]

    public init(clientID: Int64? = nil, status: StatusFilter = .active, search: String = "",
                offset: Int = 0, limit: Int = 200, anchor: TaskAnchor? = nil, order: TaskOrder = .workos,
                marks: [Int64] = []) {
        self.clientID = clientID
        self.status = status
        self.search = search
        self.offset = offset
        self.limit = limit
        self.anchor = anchor
        self.order = order
        self.marks = marks
    }
}

/// A selected task the page follows: its id and its index in the list as last shown.
public struct TaskAnchor: Equatable, Sendable {
    public var id: Int64
    public var index: Int
    /// False when `index` is the task's place in another order of the list (the person just
    /// chose a new sort): the reader then finds the task first rather than reading the page at
    /// the query's offset, which would not hold it.
    public var placeKnown: Bool

    public init(id: Int64, index: Int, placeKnown: Bool = true) {
        self.id = id
        self.index = index
        self.placeKnown = placeKnown
    }
}
