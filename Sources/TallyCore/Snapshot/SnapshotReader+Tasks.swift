import Foundation
import GRDB

/// The task list's page: the filtered, sorted window of tasks a snapshot carries and the size of
/// the whole filtered list, so a snapshot never holds more tasks than the screen shows.
///
/// A list is read as consecutive segments (`TaskSegment`), each one a range of an index of
/// Tally's in one order (`OrderKey`): a status list is one segment; the "all" list is one per
/// status (active, queued, backlog, done, then any other); sorted by client, each of those is
/// cut again per client, in the clients pane's order. A page deep in 100,000 tasks then walks an
/// index instead of sorting a table, and the selected task's place is counted along the same
/// ranges.
extension SnapshotReader {
    /// The statuses the "all" list shows first, in order; any other status (or none) follows them.
    static let statusOrder = ["active", "queued", "backlog", "done"]

    /// The filtered, sorted window of tasks and the size of the whole filtered list.
    ///
    /// - Parameter openCounts: the snapshot's counts of open tasks, when it has read them: an
    ///   active or queued list without a search takes its size from them instead of counting again.
    func tasks(query: TaskQuery, today: LocalDay, clients: [Client], pending: Set<Int64>,
               openCounts: OpenCounts? = nil) throws -> TaskPage {
        try tasksCounting(query: query, today: today, clients: clients, pending: pending, openCounts: openCounts).page
    }

    /// `tasks`, with the list's segment sizes: taken from `listed` when given (counted at the
    /// cache's version this transaction reads), and returned as counted (nil for a day's done
    /// tasks, which are read whole).
    func tasksCounting(query: TaskQuery, today: LocalDay, clients: [Client], pending: Set<Int64>,
                       openCounts: OpenCounts? = nil, listed: TaskList.Counts? = nil) throws -> (page: TaskPage, counts: TaskList.Counts?) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let client = query.clientID {
            conditions.append("client_id = ?")
            arguments.append(client)
        }
        let search = query.search.trimmingCharacters(in: .whitespaces)
        if !search.isEmpty {
            conditions.append("title LIKE ? ESCAPE '\\'")
            let escaped = search.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            arguments.append("%\(escaped)%")
        }
        let base = TaskFilter(conditions: conditions, arguments: arguments)

        let byID = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func row(_ task: WorkTask) -> TaskRow {
            let client = task.clientID.flatMap { byID[$0] }
            return TaskRow(task: task, clientName: client?.name, clientColor: client?.color,
                           isPending: pending.contains(task.id))
        }

        if query.status == .doneToday {
            let done = Self.sorted(try doneTasks(on: today, conditions: conditions, arguments: arguments),
                                   by: query.order, clients: clients)
            var page = try followingAnchor(query, total: done.count, row: row,
                                           read: { Array(done.dropFirst($0).prefix(query.limit)) },
                                           find: { id, _ in
                                               done.firstIndex { $0.id == id }.map { index in
                                                   Found(index: index, read: { Array(done.dropFirst($0).prefix(query.limit)) })
                                               }
                                           })
            let ids = Set(done.map(\.id))
            page.marked = Set(query.marks.filter(ids.contains))
            return (page, nil)
        }

        let list = try TaskList(query: query, base: base, clients: clients, counted: search.isEmpty ? openCounts : nil,
                                listed: listed, db)
        var page = try followingAnchor(query, total: list.total, row: row,
                                       read: { try list.page(offset: $0, limit: query.limit, db) },
                                       find: { id, near in
                                           try list.place(of: id, near: near, db).map { place in
                                               Found(index: place.index,
                                                     read: { try list.page(offset: $0, limit: query.limit, holding: place, db) })
                                           }
                                       })
        page.marked = try list.holding(query.marks, db)
        return (page, list.counts)
    }

    /// Where a task stands in a list now, and how to read a page of the list that holds it.
    private struct Found {
        var index: Int
        /// The page starting at an offset, which must hold `index`.
        var read: (Int) throws -> [WorkTask]
    }

    /// The page at the query's offset, and where its anchor (the selected task) is now. When the
    /// anchor moved off that page (a sync or another program put many tasks above it, or the
    /// order changed), its rank is counted (one bounded query) and the page is read again
    /// shifted by as far as it moved, so the selected task keeps its place on screen; that page
    /// is read outwards from the anchor's own key, not counted down to. An anchor whose place is
    /// not known (a new sort) is found first, without the page at the offset. A task that left
    /// the list is looked up by id, so the screen can say where it went.
    ///
    /// - Parameters:
    ///   - read: the tasks of the page starting at an offset.
    ///   - find: where a task is in the whole list, nil when the list does not hold it; given
    ///     the index where it was last seen.
    private func followingAnchor(_ query: TaskQuery, total: Int, row: (WorkTask) -> TaskRow,
                                 read: (Int) throws -> [WorkTask], find: (Int64, Int) throws -> Found?) throws -> TaskPage {
        func clamped(_ offset: Int) -> Int { max(0, min(offset, max(0, total - 1))) }
        var offset = clamped(query.offset)
        guard let anchor = query.anchor else { return TaskPage(rows: try read(offset).map(row), total: total, offset: offset) }
        if anchor.placeKnown {
            let tasks = try read(offset)
            if let local = tasks.firstIndex(where: { $0.id == anchor.id }) {
                return TaskPage(rows: tasks.map(row), total: total, offset: offset, anchor: .at(offset + local))
            }
        }
        guard let found = try find(anchor.id, anchor.index) else {
            let now = try WorkTask.fetchOne(db, sql: "SELECT * FROM cached_tasks WHERE id = ?", arguments: [anchor.id])
            return TaskPage(rows: try read(offset).map(row), total: total, offset: offset, anchor: .left(now))
        }
        let index = found.index
        offset = clamped(offset + index - anchor.index)
        // A query whose anchor was not on its own page: a page with the anchor a third down.
        if index < offset || index >= offset + query.limit { offset = clamped(index - query.limit / 3) }
        return TaskPage(rows: try found.read(offset).map(row), total: total, offset: offset, anchor: .at(index))
    }

    /// A day's done tasks (newest completion first, WorkOS's order for them) in `order`; a day
    /// holds few, so they are sorted here rather than along an index.
    static func sorted(_ done: [WorkTask], by order: TaskOrder, clients: [Client]) -> [WorkTask] {
        var sorted: [WorkTask]
        switch order.sort {
        case .workos:
            sorted = done
        case .points:
            sorted = done.sorted { a, b in
                let (pa, pb) = (Points.forTask(a), Points.forTask(b))
                return pa != pb ? pa > pb : a.id > b.id
            }
        case .client:
            let rank = Dictionary(clients.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
            let place = { (task: WorkTask) in task.clientID.flatMap { rank[$0] } ?? clients.count }
            // Stable: each client's tasks keep their order.
            sorted = done.enumerated().sorted { a, b in
                let (ra, rb) = (place(a.element), place(b.element))
                return ra != rb ? ra < rb : a.offset < b.offset
            }.map(\.element)
        case .oldest:
            // As SQLite sorts them: no time before any time.
            sorted = done.sorted { a, b in
                switch (a.createdAt, b.createdAt) {
                case let (x?, y?) where x != y: return x < y
                case (nil, _?): return true
                case (_?, nil): return false
                default: return a.id < b.id
                }
            }
        case .updated:
            sorted = done.sorted { a, b in
                switch (a.updatedAt, b.updatedAt) {
                case let (x?, y?) where x != y: return x > y
                case (nil, _?): return false
                case (_?, nil): return true
                default: return a.id > b.id
                }
            }
        }
        return order.reversed ? sorted.reversed() : sorted
    }
}

/// A filtered list of `cached_tasks` in one order, as consecutive segments along Tally's indexes.
struct TaskList {
    var segments: [TaskSegment]
    var total: Int
    /// The list's own filter (client, search): a marked or anchored task outside it has left.
    var base: TaskFilter
    var status: StatusFilter

    /// The list's rows per status and client (a nil client when the list is not cut per client).
    typealias Counts = [String?: [Int64?: Int]]
    /// What the segments' sizes were made from.
    var counts: Counts

    /// What a list's sizes depend on besides the cache's content: its rows and how they are
    /// grouped (a sort by client cuts the list per client).
    struct Shape: Hashable, Sendable {
        var status: StatusFilter
        var clientID: Int64?
        var search: String
        var byClient: Bool

        init(_ query: TaskQuery) {
            status = query.status
            clientID = query.clientID
            search = query.search.trimmingCharacters(in: .whitespaces)
            byClient = query.order.sort == .client && query.clientID == nil
        }
    }

    /// - Parameters:
    ///   - counted: the open tasks per status and client, already counted for the base filter's
    ///     rows when it holds no search (it may name a client).
    ///   - listed: the same list's counts, counted at the version of the cache this
    ///     transaction reads (a key that only changed the order or moved the selection).
    init(query: TaskQuery, base: TaskFilter, clients: [Client], counted: OpenCounts? = nil, listed: Counts? = nil,
         _ db: Database) throws {
        self.base = base
        status = query.status
        let key = OrderKey.of(query.order.sort)
        let byClient = query.order.sort == .client && query.clientID == nil
        let known = clients.map(\.id)
        let knownSet = Set(known)

        // The statuses, in the list's order, each with the filter that picks it out.
        var statuses: [(filter: TaskFilter, holds: (String?) -> Bool, name: String?)] = []
        switch query.status {
        case .active, .queued, .backlog:
            let name = query.status.rawValue
            statuses = [(base.adding("status = ?", name), { $0 == name }, name)]
        case .all:
            for name in SnapshotReader.statusOrder {
                statuses.append((base.adding("status = ?", name), { $0 == name }, name))
            }
            let listed = SnapshotReader.statusOrder
            statuses.append((base.adding(
                "(status IS NULL OR status NOT IN (\(listed.map { "'\($0)'" }.joined(separator: ", "))))"),
                { $0.map { !listed.contains($0) } ?? true }, nil))
        case .doneToday:
            statuses = []
        }

        // One pass over an index counts every segment.
        var counts: [String?: [Int64?: Int]] = [:]
        let groups: [String] = (query.status == .all ? ["status"] : []) + (byClient ? ["client_id"] : [])
        let scope = query.status == .all ? base : statuses.first?.filter ?? base
        if let listed {
            counts = listed
        } else if let name = statuses.first?.name, query.status != .all, let known = counted?.byClient(status: name) {
            // Already counted: the list's own status, narrowed to its client when it has one.
            let own = query.clientID.map { id in known.filter { $0.key == id } } ?? known
            counts[name] = byClient ? own : [nil: own.values.reduce(0, +)]
        } else if groups.isEmpty {
            counts[statuses.first?.name] = [nil: try scope.count(db)]
        } else {
            let columns = groups.joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: "SELECT \(columns), count(*) FROM cached_tasks \(scope.whereClause) GROUP BY \(columns)",
                                        arguments: scope.statementArguments) {
                let status: String? = query.status == .all ? row.text(at: 0) : statuses.first?.name
                let client: Int64? = byClient ? row.int64(at: groups.count - 1) : nil
                let n = row.int(at: groups.count) ?? 0
                counts[status, default: [:]][client, default: 0] += n
            }
        }
        self.counts = counts
        func count(status: String?, isOther: Bool, client: Int64?, clientIsOther: Bool) -> Int {
            var byStatus: [[Int64?: Int]] = []
            if isOther {
                byStatus = counts.filter { key, _ in key.map { !SnapshotReader.statusOrder.contains($0) } ?? true }.map(\.value)
            } else if let found = counts[status] {
                byStatus = [found]
            }
            return byStatus.reduce(0) { sum, clients in
                if !byClient { return sum + clients.values.reduce(0, +) }
                if clientIsOther { return sum + clients.filter { key, _ in key.map { !knownSet.contains($0) } ?? true }.values.reduce(0, +) }
                return sum + (clients[client] ?? 0)
            }
        }

        var segments: [TaskSegment] = []
        for (index, status) in statuses.enumerated() {
            let isOther = query.status == .all && index == statuses.count - 1
            guard byClient else {
                let n = count(status: status.name, isOther: isOther, client: nil, clientIsOther: false)
                let holds = status.holds
                segments.append(TaskSegment(filter: status.filter, count: n, key: key, backward: query.order.reversed,
                                            holds: { s, _ in holds(s) }))
                continue
            }
            for id in known {
                let n = count(status: status.name, isOther: isOther, client: id, clientIsOther: false)
                let holds = status.holds
                segments.append(TaskSegment(filter: status.filter.adding("client_id = ?", id), count: n, key: key,
                                            backward: query.order.reversed, holds: { s, c in holds(s) && c == id }))
            }
            let n = count(status: status.name, isOther: isOther, client: nil, clientIsOther: true)
            let others = known.isEmpty ? "1" : "(client_id IS NULL OR client_id NOT IN (\(known.map(String.init).joined(separator: ", "))))"
            let holds = status.holds
            segments.append(TaskSegment(filter: status.filter.adding(others), count: n, key: key, backward: query.order.reversed,
                                        holds: { s, c in holds(s) && (c.map { !knownSet.contains($0) } ?? true) }))
        }
        segments.removeAll { $0.count == 0 }
        if query.order.reversed { segments.reverse() }
        self.segments = segments
        total = segments.reduce(0) { $0 + $1.count }
    }

    /// Rows `offset..<offset + limit` of the list.
    func page(offset: Int, limit: Int, _ db: Database) throws -> [WorkTask] {
        var tasks: [WorkTask] = []
        var start = 0
        for segment in segments {
            defer { start += segment.count }
            let from = max(offset, start), to = min(offset + limit, start + segment.count)
            guard from < to else { continue }
            tasks += try segment.page(offset: from - start, limit: to - from, db)
        }
        return tasks
    }

    /// Rows `offset..<offset + limit` of the list, a window that holds `place`: the rows of its
    /// segment are read outwards from the task's key (those before it backwards, it and those
    /// after it forwards), so none are walked past; any other segment the window reaches is
    /// reached at its end nearer the task.
    func page(offset: Int, limit: Int, holding place: Place, _ db: Database) throws -> [WorkTask] {
        var tasks: [WorkTask] = []
        var start = 0
        for (n, segment) in segments.enumerated() {
            defer { start += segment.count }
            let from = max(offset, start), to = min(offset + limit, start + segment.count)
            guard from < to else { continue }
            guard n == place.segment, (from...to).contains(place.index) else {
                tasks += try segment.page(offset: from - start, limit: to - from, db)
                continue
            }
            let filter = segment.filter, key = segment.key, backward = segment.backward
            if from < place.index {
                tasks += try filter.seek(place.value, id: place.id, including: false, key: key, backward: !backward,
                                         limit: place.index - from, db).reversed()
            }
            if place.index < to {
                tasks += try filter.seek(place.value, id: place.id, including: true, key: key, backward: backward,
                                         limit: to - place.index, db)
            }
        }
        return tasks
    }

    /// Where a task stands in a list: its index, its segment and its value of the segment's key.
    struct Place {
        var id: Int64
        var index: Int
        var segment: Int
        var value: DatabaseValue
    }

    /// Where task `id` is in the list (last seen at `near`), nil when the list does not hold it.
    func place(of id: Int64, near: Int, _ db: Database) throws -> Place? {
        let own = base.adding("id = ?", id)
        guard let row = try Row.fetchOne(db, sql: "SELECT status, client_id FROM cached_tasks \(own.whereClause)",
                                         arguments: own.statementArguments) else { return nil }
        let status = row.text(at: 0), client = row.int64(at: 1)
        var before = 0
        for (n, segment) in segments.enumerated() {
            if segment.holds(status, client) {
                return try segment.rank(of: id, near: near - before, db).map { found in
                    Place(id: id, index: before + found.index, segment: n, value: found.value)
                }
            }
            before += segment.count
        }
        return nil
    }

    /// Which of `ids` the list holds.
    func holding(_ ids: [Int64], _ db: Database) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        var filter = base.adding("id IN (SELECT value FROM json_each(?))",
                                 "[" + ids.map(String.init).joined(separator: ",") + "]")
        switch status {
        case .active, .queued, .backlog: filter = filter.adding("status = ?", status.rawValue)
        case .all, .doneToday: break
        }
        return Set(try Int64.fetchAll(db, sql: "SELECT id FROM cached_tasks \(filter.whereClause)", arguments: filter.statementArguments))
    }
}

/// One range of a list: the rows of `filter`, read along `key` (backwards when `backward`).
struct TaskSegment {
    var filter: TaskFilter
    var count: Int
    var key: OrderKey
    var backward: Bool
    /// Whether a task of this status and client falls in this segment.
    var holds: (String?, Int64?) -> Bool

    func page(offset: Int, limit: Int, _ db: Database) throws -> [WorkTask] {
        try filter.page(db, key: key, backward: backward, offset: offset, limit: limit, of: count)
    }

    func rank(of id: Int64, near: Int, _ db: Database) throws -> (index: Int, value: DatabaseValue)? {
        try filter.rank(of: id, near: near, total: count, key: key, backward: backward, db)
    }
}

/// The order a list is read in along one of Tally's indexes on `cached_tasks`: a column (or an
/// expression), then the id, each in one direction. Every key has an index that begins with
/// `status` and then holds these terms in this order (`WorkOSSchema.tallyIndexes`), so a page is
/// a range of it, read from either end, and a task's place is counted along a range of it.
struct OrderKey {
    /// Where the rows whose column is NULL go.
    enum Nulls {
        /// Never NULL (an expression that always has a value).
        case never
        /// After the others: the index's first term is `column IS NULL` (WorkOS's `sort_order`).
        case last
        /// Where SQLite sorts NULL, below every value: first upwards, last downwards. Used for the
        /// timestamps, which WorkOS's cache declares NOT NULL: SQLite folds `column IS NULL`
        /// away for such a column, so a term built on it would not match its index.
        case lowest
    }

    /// The SQL column or expression, written exactly as its index has it.
    var column: String
    var nulls: Nulls
    /// Whether the column and the id are read highest first.
    var descending: Bool

    /// WorkOS's order: `sort_order` (none after the rest), then id (`tally_cached_tasks_order`).
    static let workos = OrderKey(column: "sort_order", nulls: .last, descending: false)
    /// Points as awarded, highest first (`tally_cached_tasks_points`).
    static let points = OrderKey(column: pointsExpression, nulls: .never, descending: true)
    /// Oldest first (`tally_cached_tasks_created`).
    static let created = OrderKey(column: "created_at", nulls: .lowest, descending: false)
    /// Most recently updated first (`tally_cached_tasks_updated`).
    static let updated = OrderKey(column: "updated_at", nulls: .lowest, descending: true)

    /// `Points.forTask` in SQL: points_final, else the tier's points, else the AI's guess, else
    /// the effort estimate, else 2. Written once: the index and every query use this text.
    static let pointsExpression = """
        CASE WHEN points_final >= 0 THEN points_final \
        WHEN value_tier = 'checkbox' THEN 1 WHEN value_tier IN ('progress', 'quick-win') THEN 2 \
        WHEN value_tier = 'deliverable' THEN 4 WHEN value_tier = 'milestone' THEN 7 \
        WHEN points_ai_guess >= 0 THEN points_ai_guess WHEN effort_estimate >= 0 THEN effort_estimate ELSE 2 END
        """

    /// The key a sort reads each segment along (by client: WorkOS's order within a client).
    static func of(_ sort: TaskSort) -> OrderKey {
        switch sort {
        case .workos, .client: return .workos
        case .points: return .points
        case .oldest: return .created
        case .updated: return .updated
        }
    }

    /// Whether the column and id run highest first when read `backward` or not.
    func runsDown(backward: Bool) -> Bool { descending != backward }

    /// The ORDER BY terms, forwards or backwards.
    ///
    /// - Parameter nullsPinned: whether the statement pins `column IS NULL` to one value (a
    ///   range of `seek`): the term is left out then, as SQLite would not match it to its index.
    func orderBy(backward: Bool, nullsPinned: Bool = false) -> String {
        let direction = runsDown(backward: backward) ? "DESC" : "ASC"
        var terms: [String] = []
        if nulls == .last && !nullsPinned { terms.append("\(column) IS NULL \(backward ? "DESC" : "ASC")") }
        terms.append("\(column) \(direction)")
        terms.append("id \(direction)")
        return terms.joined(separator: ", ")
    }
}

/// A `WHERE` clause over `cached_tasks` with its arguments.
struct TaskFilter {
    var conditions: [String]
    var arguments: [any DatabaseValueConvertible]

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
    /// Each value made optional where its type is known: handing GRDB the array as it is made
    /// Swift cast every element at run time, a scan of the binary's conformances on the first.
    var statementArguments: StatementArguments { StatementArguments(arguments.map { value -> (any DatabaseValueConvertible)? in value }) }

    func adding(_ condition: String, _ arguments: any DatabaseValueConvertible...) -> TaskFilter {
        TaskFilter(conditions: conditions + [condition], arguments: self.arguments + arguments)
    }

    func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks \(whereClause)", arguments: statementArguments) ?? 0
    }

    /// The index of task `id` among this filter's `total` rows in `key`'s order, nil when the
    /// filter does not hold it. The rows on one side of it are counted along the key's index (a
    /// range of it, so the cost is the rows counted): those before it when `near`, where it was
    /// last seen, is in the first half, else those after it.
    /// Also gives the task's value of the key, where a page around it is read from (`seek`).
    func rank(of id: Int64, near: Int, total: Int, key: OrderKey, backward: Bool,
              _ db: Database) throws -> (index: Int, value: DatabaseValue)? {
        let own = adding("id = ?", id)
        guard let row = try Row.fetchOne(db, sql: "SELECT \(key.column) FROM cached_tasks \(own.whereClause)",
                                         arguments: own.statementArguments) else { return nil }
        let value: DatabaseValue = row[0]
        if near < total / 2 { return (try countBefore(value, id: id, key: key, backward: backward, total: total, db), value) }
        return (total - 1 - (try countBefore(value, id: id, key: key, backward: !backward, total: total, db)), value)
    }

    /// Up to `limit` rows after (`value`, `id`), or from it when `including`, in the order `key`
    /// reads them `backward` or not: the keyset twin of `countBefore`, a range of the key's index
    /// read from its start, with the rows whose column is NULL read apart where the key puts them.
    func seek(_ value: DatabaseValue, id: Int64, including: Bool, key: OrderKey, backward: Bool, limit: Int,
              _ db: Database) throws -> [WorkTask] {
        var tasks: [WorkTask] = []
        for range in seekRanges(value, id: id, including: including, key: key, backward: backward) where tasks.count < limit {
            tasks += try Self.tasks(
                db, sql: "SELECT \(WorkTask.selection) FROM cached_tasks \(range.whereClause) ORDER BY \(key.orderBy(backward: backward, nullsPinned: true)) LIMIT ?",
                arguments: range.statementArguments + [limit - tasks.count])
        }
        return tasks
    }

    /// The ranges `seek` reads, in order, each along the key's index (a key whose NULLs go last
    /// reads them apart from the others, so each range pins `column IS NULL`).
    func seekRanges(_ value: DatabaseValue, id: Int64, including: Bool, key: OrderKey, backward: Bool) -> [TaskFilter] {
        let more = (key.runsDown(backward: backward) ? "<" : ">") + (including ? "=" : "")
        switch key.nulls {
        case .never:
            return [adding("(\(key.column), id) \(more) (?, ?)", value, id)]
        case .last:
            // Forwards the NULLs come after the others, backwards before them.
            let present = adding("(\(key.column) IS NULL) = 0")
            let absent = adding("(\(key.column) IS NULL) = 1")
            if value.isNull {
                return [absent.adding("+id \(more) ?", id)] + (backward ? [present] : [])
            } else {
                return [present.adding("(\(key.column), id) \(more) (?, ?)", value, id)] + (backward ? [] : [absent])
            }
        case .lowest:
            // The NULLs come first when read upwards, last when read downwards.
            let nullsFirst = !key.runsDown(backward: backward)
            if value.isNull {
                return [adding("\(key.column) IS NULL").adding("+id \(more) ?", id)]
                    + (nullsFirst ? [adding("\(key.column) IS NOT NULL")] : [])
            } else {
                return [adding("(\(key.column), id) \(more) (?, ?)", value, id)]
                    + (nullsFirst ? [] : [adding("\(key.column) IS NULL")])
            }
        }
    }

    /// The rows before (`value`, `id`) when the list is read along `key`, `backward` or not.
    /// A row value holding NULL compares as NULL, so the rows whose column is NULL are counted
    /// apart, where the key puts them.
    private func countBefore(_ value: DatabaseValue, id: Int64, key: OrderKey, backward: Bool, total: Int,
                             _ db: Database) throws -> Int {
        let less = key.runsDown(backward: backward) ? ">" : "<"
        switch key.nulls {
        case .never:
            return try adding("(\(key.column), id) \(less) (?, ?)", value, id).count(db)
        case .last:
            // After the others forwards, before them backwards; `(column IS NULL) = 0` is the
            // index's own first term.
            let present = adding("(\(key.column) IS NULL) = 0")
            let absent = adding("(\(key.column) IS NULL) = 1")
            if value.isNull {
                let among = try absent.adding("+id \(less) ?", id).count(db)
                return backward ? among : try present.count(db) + among
            }
            let among = try present.adding("(\(key.column), id) \(less) (?, ?)", value, id).count(db)
            return backward ? try absent.count(db) + among : among
        case .lowest:
            // First when read upwards, last when read downwards.
            let nullsFirst = !key.runsDown(backward: backward)
            let absent = adding("\(key.column) IS NULL")
            if value.isNull {
                let among = try absent.adding("+id \(less) ?", id).count(db)
                return nullsFirst ? among : total - (try absent.count(db)) + among
            }
            let among = try adding("(\(key.column), id) \(less) (?, ?)", value, id).count(db)
            return nullsFirst ? try absent.count(db) + among : among
        }
    }

    /// Rows `offset..<offset + limit` of `total` in `key`'s order. A window in the second half
    /// is read from the other end, so `G` on 60,000 done tasks skips a handful of index entries
    /// instead of 60,000.
    func page(_ db: Database, key: OrderKey = .workos, backward: Bool = false, offset: Int, limit: Int,
              of total: Int) throws -> [WorkTask] {
        let fromEnd = total - offset - limit
        guard fromEnd < offset else {
            return try Self.tasks(
                db, sql: "SELECT \(WorkTask.selection) FROM cached_tasks \(whereClause) ORDER BY \(key.orderBy(backward: backward)) LIMIT ? OFFSET ?",
                arguments: statementArguments + [limit, offset])
        }
        let skip = max(0, fromEnd)
        return try Self.tasks(
            db, sql: "SELECT \(WorkTask.selection) FROM cached_tasks \(whereClause) ORDER BY \(key.orderBy(backward: !backward)) LIMIT ? OFFSET ?",
            arguments: statementArguments + [limit + min(0, fromEnd), skip]).reversed()
    }

    /// The page's tasks read by position (`WorkTask(positions:)`): by column name, the sixty rows
    /// of a page were looked up field by field.
    private static func tasks(_ db: Database, sql: String, arguments: StatementArguments) throws -> [WorkTask] {
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var tasks: [WorkTask] = []
        while let row = try rows.next() { tasks.append(WorkTask(positions: row)) }
        return tasks
    }
}
