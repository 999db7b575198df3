import GRDB
import TallyCore

/// WorkOS's task list (`workos_get_tasks`): work tasks of one status, or of every status but
/// `done`, optionally of one client, in WorkOS's order (`sort_order` ascending with no order
/// first, then the newest created first), at most `limit` of them.
///
/// On 100,000 tasks the obvious query sorts every open task. Instead each status is read on its
/// own along the `(status, sort_order IS NULL, sort_order, …)` index, `limit` rows at most, and
/// the lists are merged: a few index seeks whatever the size of the table.
struct TaskList {
    var status: String?
    var clientID: Int64?
    var limit: Int

    func tasks(_ db: Database) throws -> [WorkTask] {
        if let clientID {
            // One client's tasks are few: read them through the client index and sort them.
            var filter = "client_id = ? AND category = 'work' AND "
            var arguments: [any DatabaseValueConvertible] = [clientID]
            if let status {
                filter += "status = ?"
                arguments.append(status)
            } else {
                filter += "status != 'done'"
            }
            return try WorkTask.fetchAll(
                db, sql: "SELECT * FROM cached_tasks WHERE \(filter) ORDER BY sort_order, created_at DESC LIMIT ?",
                arguments: StatementArguments(arguments + [limit]))
        }
        if let status { return try Array(ordered(status: status.databaseValue, db).prefix(limit)) }
        guard let statuses = try Self.statuses(db) else {
            return try WorkTask.fetchAll(
                db, sql: """
                    SELECT * FROM cached_tasks WHERE category = 'work' AND status != 'done'
                    ORDER BY sort_order, created_at DESC LIMIT ?
                    """, arguments: [limit])
        }
        var merged: [WorkTask] = []
        for status in statuses where status != "done".databaseValue {
            merged += try ordered(status: status, db)
        }
        return Array(merged.sorted(by: Self.precedes).prefix(limit))
    }

    /// The first `limit` work tasks of `status` in WorkOS's order: those with no sort order
    /// (SQLite sorts NULL first), then the rest. The first query's `+created_at` keeps SQLite
    /// from walking `tally_cached_tasks_created` for its order (every task of the status, most
    /// of them with a sort order: 60 ms on 100,000 tasks) instead of seeking the few without one
    /// along `tally_cached_tasks_order` and sorting them.
    func ordered(status: DatabaseValue, _ db: Database) throws -> [WorkTask] {
        let unordered = try WorkTask.fetchAll(
            db, sql: """
                SELECT * FROM cached_tasks WHERE status = ? AND (sort_order IS NULL) = 1 AND category = 'work'
                ORDER BY +created_at DESC LIMIT ?
                """, arguments: [status, limit])
        guard unordered.count < limit else { return unordered }
        return unordered + (try WorkTask.fetchAll(
            db, sql: """
                SELECT * FROM cached_tasks WHERE status = ? AND (sort_order IS NULL) = 0 AND category = 'work'
                ORDER BY sort_order, created_at DESC LIMIT ?
                """, arguments: [status, limit - unordered.count]))
    }

    /// The distinct statuses in the table (as stored: another program may have written a number),
    /// found by seeking the status index once per status; nil when there are implausibly many
    /// (the caller then sorts in one query).
    static func statuses(_ db: Database) throws -> [DatabaseValue]? {
        var statuses: [DatabaseValue] = []
        var next = try DatabaseValue.fetchOne(db, sql: "SELECT min(status) FROM cached_tasks") ?? .null
        while !next.isNull {
            statuses.append(next)
            guard statuses.count <= 32 else { return nil }
            next = try DatabaseValue.fetchOne(db, sql: "SELECT min(status) FROM cached_tasks WHERE status > ?",
                                              arguments: [next]) ?? .null
        }
        return statuses
    }

    /// SQLite's `ORDER BY sort_order, created_at DESC`: NULL sorts first ascending and last
    /// descending; text compares byte by byte.
    static func precedes(_ a: WorkTask, _ b: WorkTask) -> Bool {
        switch (a.sortOrder, b.sortOrder) {
        case (nil, .some): return true
        case (.some, nil): return false
        case let (x?, y?) where x != y: return x < y
        default: break
        }
        switch (a.createdAt, b.createdAt) {
        case (.some, nil): return true
        case let (x?, y?): return y.utf8.lexicographicallyPrecedes(x.utf8)
        default: return false
        }
    }
}
