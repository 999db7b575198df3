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
            let offset = max(0, min(query.offset, max(0, total - 1)))
            let tasks = try filter.page(db, offset: offset, limit: query.limit, of: total)
            return TaskPage(rows: tasks.map(row), total: total, offset: offset)

        case .doneToday:
            let done = try doneTasks(on: today, conditions: conditions, arguments: arguments)
            let window = done.dropFirst(query.offset).prefix(query.limit)
            return TaskPage(rows: window.map(row), total: done.count, offset: query.offset)

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
            let offset = max(0, min(query.offset, max(0, total - 1)))
            let tasks = search.isEmpty
                ? try allBySegments(filter, counts: counts, total: total, offset: offset, limit: query.limit)
                : try WorkTask.fetchAll(  // a search matches few rows: one scan, then sort them
                    db, sql: """
                        SELECT * FROM cached_tasks \(filter.whereClause) ORDER BY
                        CASE status WHEN 'active' THEN 0 WHEN 'queued' THEN 1 WHEN 'backlog' THEN 2
                        WHEN 'done' THEN 3 ELSE 4 END, sort_order IS NULL, sort_order, id LIMIT ? OFFSET ?
                        """,
                    arguments: filter.statementArguments + [query.limit, offset])
            return TaskPage(rows: tasks.map(row), total: total, offset: offset)
        }
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

    func adding(_ condition: String, _ argument: (any DatabaseValueConvertible)? = nil) -> TaskFilter {
        TaskFilter(conditions: conditions + [condition], arguments: arguments + (argument.map { [$0] } ?? []))
    }

    func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM cached_tasks \(whereClause)", arguments: statementArguments) ?? 0
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
