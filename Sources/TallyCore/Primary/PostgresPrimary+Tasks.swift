import Foundation
import GRDB
import Logging
import PostgresNIO

/// Adding, editing and deleting tasks on PostgreSQL, each in one transaction, with every value
/// written for the column's real type (`PostgresColumns`).
extension PostgresPrimary {
    public func create(_ task: WorkTask, keepID: Bool) async throws -> WorkTask {
        let columns = try await columns()
        let log = logger
        return try await transaction { connection in
            if keepID, let existing = try await Self.fetchTask(connection, id: task.id, lock: false, columns: columns, logger: log) {
                return existing
            }
            if !keepID, columns.has("tasks", "created_at") {
                var find = PostgresStatement()
                let title = find.bind(task.title)
                let created = columns.value(find.bind(task.createdAt), "tasks", "created_at")
                let found = try await Self.rows(connection.query(
                    find.query("SELECT id::bigint FROM tasks WHERE title = \(title)::text AND created_at = \(created) LIMIT 1"), logger: log))
                if let id = found.first?.first.flatMap({ Int64.fromDatabaseValue($0) }),
                   let existing = try await Self.fetchTask(connection, id: id, lock: false, columns: columns, logger: log) {
                    return existing
                }
            }
            var statement = PostgresStatement()
            var names: [String] = []
            var values: [String] = []
            for (column, value) in zip(WorkTask.columnNames, task.databaseValues) {
                guard columns.has("tasks", column), keepID || column != "id" else { continue }
                if column == "sort_order", value.isNull {
                    let status = statement.bind(task.status)
                    names.append(column)
                    values.append("(SELECT least(coalesce(min(sort_order), 0), 0) - 1 FROM tasks WHERE status = \(status)::text)")
                    continue
                }
                guard !value.isNull else { continue }
                names.append(column)
                values.append(columns.value(statement.bind(value), "tasks", column))
            }
            let inserted = try await Self.rows(connection.query(
                statement.query("INSERT INTO tasks (\(names.joined(separator: ", "))) VALUES (\(values.joined(separator: ", "))) RETURNING id::bigint"),
                logger: log))
            guard let id = inserted.first?.first.flatMap({ Int64.fromDatabaseValue($0) }) else {
                throw TallyError.badArgument("The primary did not return the new task's id.")
            }
            return try await Self.fetchTask(connection, id: id, lock: false, columns: columns, logger: log) ?? task
        }
    }

    public func update(_ changes: [TaskChange]) async throws -> [WorkTask] {
        let columns = try await columns()
        let log = logger
        let shown = displayName
        return try await transaction { connection in
            var stored: [WorkTask] = []
            for change in changes {
                let current = try await Self.fetchTask(connection, id: change.taskID, lock: true, columns: columns, logger: log)
                switch TaskPlan.check(current, change, shown: shown) {
                case .conflict(let message): throw TallyError.conflict(message)
                case .alreadyApplied: if let current { stored.append(current) }
                case .apply:
                    guard let current else { continue }
                    let next = TaskPlan.applied(current, change)
                    var statement = PostgresStatement()
                    let sets = TaskPlan.columns(of: change).filter { columns.has("tasks", $0) }.map { column -> String in
                        let value = next.databaseValues[WorkTask.columnNames.firstIndex(of: column) ?? 0]
                        return "\(column) = \(columns.value(statement.bind(value), "tasks", column))"
                    }
                    let id = statement.bind(change.taskID)
                    try await connection.query(statement.query("UPDATE tasks SET \(sets.joined(separator: ", ")) WHERE id = \(id)::bigint"),
                                               logger: log)
                    stored.append(try await Self.fetchTask(connection, id: change.taskID, lock: false, columns: columns, logger: log) ?? next)
                }
            }
            return stored
        }
    }

    public func delete(taskID: Int64) async throws -> WorkTask? {
        let columns = try await columns()
        let log = logger
        return try await transaction { connection in
            guard let task = try await Self.fetchTask(connection, id: taskID, lock: true, columns: columns, logger: log) else {
                return nil
            }
            try await connection.query(try Self.query("DELETE FROM tasks WHERE id = $1::bigint", [taskID.databaseValue]), logger: log)
            return task
        }
    }
}
