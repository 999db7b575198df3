/// How the task pane sorts its list (`o` cycles the sorts, `O` reverses, `sort` in the config
/// sets the default).
public enum TaskSort: String, CaseIterable, Sendable, Codable {
    /// WorkOS's own order: `sort_order` (tasks without one after the rest), then id.
    case workos
    /// Points as a completion would award them (`Points.forTask`), highest first.
    case points
    /// By client, in the clients pane's order (by name); each client's tasks in WorkOS's order.
    case client
    /// Oldest first, by `created_at`.
    case oldest
    /// Most recently updated first, by `updated_at`.
    case updated

    /// The sort after this one in the order `o` cycles through.
    public var next: TaskSort {
        let all = Self.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + 1) % all.count]
    }

    /// The names `sort` in the config accepts, for its error message.
    public static let names = allCases.map(\.rawValue)
}

/// A sort and its direction: the task pane's order.
public struct TaskOrder: Hashable, Sendable, Codable {
    public var sort: TaskSort
    /// `O`: the whole list backwards.
    public var reversed: Bool

    public init(_ sort: TaskSort = .workos, reversed: Bool = false) {
        self.sort = sort
        self.reversed = reversed
    }

    public static let workos = TaskOrder()

    /// What the pane's title says of the order; nil for WorkOS's own, which needs no word.
    public var label: String? {
        switch (sort, reversed) {
        case (.workos, false): return nil
        case (.workos, true): return "WorkOS order reversed"
        case (.points, false): return "most points first"
        case (.points, true): return "fewest points first"
        case (.client, false): return "by client"
        case (.client, true): return "by client, reversed"
        case (.oldest, false): return "oldest first"
        case (.oldest, true): return "newest first"
        case (.updated, false): return "recently updated"
        case (.updated, true): return "least recently updated"
        }
    }

    /// The next sort, in its natural direction (`o`).
    public var cycled: TaskOrder { TaskOrder(sort.next) }

    /// The same sort, the other way (`O`).
    public var flipped: TaskOrder { TaskOrder(sort, reversed: !reversed) }
}
