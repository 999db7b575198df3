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

    public init(clientID: Int64? = nil, status: StatusFilter = .active, search: String = "",
                offset: Int = 0, limit: Int = 200) {
        self.clientID = clientID
        self.status = status
        self.search = search
        self.offset = offset
        self.limit = limit
    }
}
