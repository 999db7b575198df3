import Foundation
import GRDB

/// The task list's page: the filtered, sorted window of tasks a snapshot carries and the size of
/// the whole filtered list, so a snapshot never holds more tasks than the screen shows.
extension SnapshotReader {
    /// The statuses the "all" list shows first, in order; any other status (or none) follows them.
    static let statusOrder = ["active", "queued", "backlog", "done"]

    /// The filtered, sorted window of tasks and the size of the whole filtered list.
    func tasks(query: TaskQuery, today: LocalDay, clients: [Client], pending: Set<Int64>) throws -> TaskPage {
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

        let byID = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func row(_ task: WorkTask) -> TaskRow {
            let client = task.clientID.flatMap { byID[$0] }
            return TaskRow(task: task, clientName: client?.name, clientColor: client?.color,
                           isPending: pending.contains(task.id))
        }

        switch query.status {
        case .active, .queued, .backlog:
            let filter = TaskFilter(conditions: ["status = ?"] + conditions,
                                    arguments: [query.status.rawValue] + arguments)
            let total = try filter.count(db)
            return try followingAnchor(query, total: total, row: row,
                                       read: { try filter.page(db, offset: $0, limit: query.limit, of: total) },
                                       rank: { try filter.rank(of: $0, near: $1, total: total, db) })

        case .doneToday:
            let done = try doneTasks(on: today, conditions: conditions, arguments: arguments)
            return try followingAnchor(query, total: done.count, row: row,
                                       read: { Array(done.dropFirst($0).prefix(query.limit)) },
                                       rank: { id, _ in done.firstIndex { $0.id == id } })

        case .all:
            let filter = TaskFilter(conditions: conditions, arguments: arguments)
            // One pass over the status index counts every status: the total and the segments.
            var counts: [String?: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT status, count(*) FROM cached_tasks \(filter.whereClause) GROUP BY status",
                arguments: filter.statementArguments) {
                counts[row[0] as String?, default: 0] += row[1] as Int? ?? 0
            }
            let total = counts.values.reduce(0, +)
            return try followingAnchor(query, total: total, row: row, read: { offset in
                search.isEmpty
                    ? try allBySegments(filter, counts: counts, total: total, offset: offset, limit: query.limit)
                    : try WorkTask.fetchAll(  // a search matches few rows: one scan, then sort them
                        db, sql: """
                            SELECT * FROM cached_tasks \(filter.whereClause) ORDER BY
                            CASE status WHEN 'active' THEN 0 WHEN 'queued' THEN 1 WHEN 'backlog' THEN 2
                            WHEN 'done' THEN 3 ELSE 4 END, sort_order IS NULL, sort_order, id LIMIT ? OFFSET ?
                            """,
                        arguments: filter.statementArguments + [query.limit, offset])
            }, rank: { id, near in try rankInAll(of: id, near: near, filter: filter, counts: counts, total: total) })
        }
    }

    /// The page at the query's offset, and where its anchor (the selected task) is now. When the
    /// anchor moved off that page (a sync or another program put many tasks above it), its rank
    /// is counted (one bounded query) and the page is read again shifted by as far as it moved, so
    /// the selected task keeps its place on screen. A task that left the list is looked up by id,
    /// so the screen can say where it went.
    ///
    /// - Parameters:
    ///   - read: the tasks of the page starting at an offset.
    ///   - rank: the index of a task in the whole list, nil when the list does not hold it;
    ///     given the index where it was last seen.
    private func followingAnchor(_ query: TaskQuery, total: Int, row: (WorkTask) -> TaskRow,
                                 read: (Int) throws -> [WorkTask], rank: (Int64, Int) throws -> Int?) throws -> TaskPage {
        func clamped(_ offset: Int) -> Int { max(0, min(offset, max(0, total - 1))) }
        var offset = clamped(query.offset)
        var tasks = try read(offset)
        guard let anchor = query.anchor else { return TaskPage(rows: tasks.map(row), total: total, offset: offset) }
        if let local = tasks.firstIndex(where: { $0.id == anchor.id }) {
            return TaskPage(rows: tasks.map(row), total: total, offset: offset, anchor: .at(offset + local))
        }
        guard let index = try rank(anchor.id, anchor.index) else {
            let now = try WorkTask.fetchOne(db, sql: "SELECT * FROM cached_tasks WHERE id = ?", arguments: [anchor.id])
            return TaskPage(rows: tasks.map(row), total: total, offset: offset, anchor: .left(now))
        }
        offset = clamped(offset + index - anchor.index)
        // A query whose anchor was not on its own page: a page with the anchor a third down.
        if index < offset || index >= offset + query.limit { offset = clamped(index - query.limit / 3) }
        tasks = try read(offset)
        return TaskPage(rows: tasks.map(row), total: total, offset: offset, anchor: .at(index))
    }

    /// The index of task `id` in the "all" list: the tasks of the statuses before its own, and
    /// its rank within its status.
    func rankInAll(of id: Int64, near: Int, filter: TaskFilter, counts: [String?: Int], total: Int) throws -> Int? {
        let own = filter.adding("id = ?", id)
        guard let status = try Row.fetchOne(db, sql: "SELECT status FROM cached_tasks \(own.whereClause)",
                                            arguments: own.statementArguments) else { return nil }
        let name: String? = status[0]
        let position = name.flatMap { Self.statusOrder.firstIndex(of: $0) } ?? Self.statusOrder.count
        var before = 0
        for (index, status) in Self.statusOrder.enumerated() where index < position { before += counts[status] ?? 0 }
        let known = Self.statusOrder.reduce(0) { $0 + (counts[$1] ?? 0) }
        let (segment, size) = position < Self.statusOrder.count
            ? (filter.adding("status = ?", Self.statusOrder[position]), counts[Self.statusOrder[position]] ?? 0)
            : (filter.adding("(status IS NULL OR status NOT IN (\(Self.statusOrder.map { "'\($0)'" }.joined(separator: ", "))))"),
               max(0, total - known))
        return try segment.rank(of: id, near: near - before, total: size, db).map { before + $0 }
    }

    /// The "all" list as consecutive segments, one per status in `statusOrder` and then every
    /// other status, each read in the index's order: a page deep in 100,000 tasks walks an index
    /// instead of sorting the table.
    ///
    /// - Parameter counts: how many rows of the filter have each status.
    func allBySegments(_ filter: TaskFilter, counts: [String?: Int], total: Int, offset: Int,
                       limit: Int) throws -> [WorkTask] {
        var segments: [(filter: TaskFilter, count: Int)] = []
        var known = 0
        for status in Self.statusOrder {
            let count = counts[status] ?? 0
            segments.append((filter.adding("status = ?", status), count))
            known += count
        }
        let others = filter.adding(
            "(status IS NULL OR status NOT IN (\(Self.statusOrder.map { "'\($0)'" }.joined(separator: ", "))))")
        segments.append((others, max(0, total - known)))

        var tasks: [WorkTask] = []
        var start = 0
        for (segment, count) in segments {
            defer { start += count }
            let from = max(offset, start), to = min(offset + limit, start + count)
            guard from < to else { continue }
            tasks += try segment.page(db, offset: from - start, limit: to - from, of: count)
        }
        return tasks
    }
}

/// A `WHERE` clause over `cached_tasks` with its arguments.
struct TaskFilter {
    var conditions: [String]
    var arguments: [any DatabaseValueConvertible]

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }
    var statementArguments: StatementArguments { StatementArguments(arguments) }

    func adding(_ condition: String, _ arguments: any DatabaseValueConvertible...) -> TaskFilter {
        TaskFilter(conditions: conditions + [condition], arguments: self.arguments + arguments)
    }

    func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks \(whereClause)", arguments: statementArguments) ?? 0
    }

    /// The index of task `id` among this filter's `total` rows in the task pane's order, nil
    /// when the filter does not hold it. The rows on one side of it are counted along the
    /// order's index (a range of it, so the cost is the rows counted): those before it when
    /// `near`, where it was last seen, is in the first half, else those after it.
    func rank(of id: Int64, near: Int, total: Int, _ db: Database) throws -> Int? {
        let own = adding("id = ?", id)
        guard let row = try Row.fetchOne(db, sql: "SELECT sort_order FROM cached_tasks \(own.whereClause)",
                                         arguments: own.statementArguments) else { return nil }
        let sortOrder: DatabaseValue = row[0]
        // `(sort_order IS NULL) = 0` is the index's second column: rows with a sort order come
        // first, by it and then id; the rest follow by id. (A row value holding NULL compares
        // as NULL, so the two groups are counted apart.)
        let ordered = adding("(sort_order IS NULL) = 0")
        let unordered = adding("(sort_order IS NULL) = 1")
        let fromStart = near < total / 2
        if !sortOrder.isNull {
            if fromStart {
                return try ordered.adding("(sort_order, id) < (?, ?)", sortOrder, id).count(db)
            }
            let after = try ordered.adding("(sort_order, id) > (?, ?)", sortOrder, id).count(db) + unordered.count(db)
            return total - 1 - after
        }
        if fromStart { return try ordered.count(db) + unordered.adding("id < ?", id).count(db) }
        return total - 1 - (try unordered.adding("id > ?", id).count(db))
    }

    /// Rows `offset..<offset + limit` in the task pane's order (the order of the
    /// `tally_cached_tasks_order` index) of a list of `total` rows. A window in the second half
    /// is read backwards from the end, so `G` on 60,000 done tasks skips a handful of index
    /// entries instead of 60,000.
    func page(_ db: Database, offset: Int, limit: Int, of total: Int) throws -> [WorkTask] {
        let fromEnd = total - offset - limit
        guard fromEnd < offset else {
            return try WorkTask.fetchAll(
                db, sql: "SELECT * FROM cached_tasks \(whereClause) ORDER BY sort_order IS NULL, sort_order, id LIMIT ? OFFSET ?",
                arguments: statementArguments + [limit, offset])
        }
        let skip = max(0, fromEnd)
        return try WorkTask.fetchAll(
            db, sql: """
                SELECT * FROM cached_tasks \(whereClause)
                ORDER BY sort_order IS NULL DESC, sort_order DESC, id DESC LIMIT ? OFFSET ?
                """,
            arguments: statementArguments + [limit + min(0, fromEnd), skip]).reversed()
    }
}
