import Foundation
import GRDB
import TallyCore

/// `life_get_brain_dump` and `life_get_personal_tasks`: WorkOS's brain dumps and personal tasks,
/// from Tally's copies of them in the cache.
enum LifeReadTools {
    static let entry = Out.object([
        ("id", Out.integer), ("content", Out.string), ("category", Out.optionalString), ("context", Out.optionalString),
        ("processed", Out.optionalInteger), ("processedAt", Out.optionalString), ("convertedToTaskId", Out.optionalInteger),
        ("createdAt", Out.string),
    ])

    static let brainDump = MCPTool(
        name: "life_get_brain_dump",
        description: """
            The brain-dump entries, newest first: those not yet processed, or every one with \
            includeProcessed; optionally of one context (work, personal) or category (thought, task, \
            idea, worry). At most `limit` (1–100, default 20). Each has id, content, category, context, \
            processed (0 or 1), processedAt, convertedToTaskId, createdAt. The local cache keeps every \
            unprocessed entry and the processed ones of the last 30 days.
            """,
        inputSchema: Schema.object([
            ("includeProcessed", Schema.boolean("Also list processed entries (default false)")),
            ("limit", Schema.integer("Most entries to return (default 20)", minimum: 1, maximum: 100)),
            ("context", Schema.string("Only this context", oneOf: ["work", "personal"])),
            ("category", Schema.string("Only this category", oneOf: ["thought", "task", "idea", "worry"])),
        ]),
        outputSchema: Out.list("entries", entry), listKey: "entries",
        readOnly: true
    ) { arguments, context in
        let includeProcessed = try arguments.optionalBool("includeProcessed") ?? false
        let limit = try arguments.optionalInt("limit", in: 1...100) ?? 20
        let area = try arguments.optionalString("context", allowed: ["work", "personal"])
        let category = try arguments.optionalString("category", allowed: ["thought", "task", "idea", "worry"])
        try context.requireLife(.brainDump)
        var conditions: [String] = []
        var values = StatementArguments()
        if !includeProcessed { conditions.append("coalesce(processed, 0) = 0") }
        if let area {
            conditions.append("context = ?")
            values += [area]
        }
        if let category {
            conditions.append("category = ?")
            values += [category]
        }
        let condition = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        let rows = try context.cache.read { db in
            try LifeStore.records(.brainDump, where: condition, arguments: values, order: "created_at DESC, id DESC", limit: limit, db)
        }
        return .array(rows.map { RecordJSON.record($0) })
    }

    static let personalTasks = MCPTool(
        name: "life_get_personal_tasks",
        description: """
            The personal tasks (category personal), in WorkOS's order (sort order, then newest): of one \
            status (active, queued, backlog, done) or, without one, every status, done included. At \
            most `limit` (1–100, default 20). Each task is the whole row: id, clientId, title, \
            description, status, category, valueTier, effortEstimate, effortActual, drainType, \
            cognitiveLoad, sortOrder, subtasks (the list), createdAt, updatedAt, completedAt, \
            backlogEnteredAt, pointsAiGuess, pointsFinal, pointsAdjustedAt. From the local cache, which \
            keeps the personal tasks not done and those done in the last 90 days.
            """,
        inputSchema: Schema.object([
            ("status", Schema.string("active, queued, backlog or done (default: every status)", oneOf: TaskReadTools.statuses)),
            ("limit", Schema.integer("Most tasks to return (default 20)", minimum: 1, maximum: 100)),
        ]),
        outputSchema: Out.list("tasks", Out.taskElement), listKey: "tasks",
        readOnly: true, lookups: [.tasks]
    ) { arguments, context in
        let status = try arguments.optionalString("status", allowed: TaskReadTools.statuses)
        let limit = try arguments.optionalInt("limit", in: 1...100) ?? 20
        if let categories = context.config.scope.taskCategories, !categories.contains("personal") {
            try context.requireLife(.personalTasks)
        }
        // Kept while the cache is unchanged: where the scope keeps personal tasks among the
        // contract's, finding them reads every cached task.
        let tasks = try context.kept.answer("personal:\(status ?? "all"):\(limit)") {
            try context.cache.read { db in try LifeStore.personalTasks(status: status, limit: limit, db) }
        }
        return .array(tasks.map { RecordJSON.storedTask($0.0, cognitiveLoad: $0.1) })
    }
}
