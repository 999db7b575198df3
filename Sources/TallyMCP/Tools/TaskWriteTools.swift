import Foundation
import GRDB
import TallyCore

/// Tools that change tasks. Each goes through the core's write-through: the primary first, then
/// the cache; when the primary cannot be reached the write is kept in the outbox, shown in the
/// cache at once, and applied exactly once by the next sync.
enum TaskWriteTools {
    static let completeTask = MCPTool(
        name: "workos_complete_task",
        description: """
            Mark a task as done. It earns its points (pointsFinal, else its value tier's: checkbox 1, \
            progress 2, deliverable 4, milestone 7), or `points` when given. Written to the primary \
            database first, then the local cache; when the primary is unreachable the completion is \
            queued (pending: true) and applied on the next sync, never twice. Answers success and the \
            task as it is now.
            """,
        inputSchema: Schema.object([
            ("taskId", Schema.id("The task to complete")),
            ("points", Schema.integer("Points to award instead of the task's own (0–1000)", minimum: 0, maximum: 1000)),
        ], required: ["taskId"]),
        outputSchema: Out.write("task", Out.task),
        readOnly: false, idempotent: true, lookups: []
    ) { arguments, context in
        let writes = try context.pipeline()
        let taskID = try arguments.id("taskId")
        let points = try arguments.optionalInt("points", in: 0...1000)
        guard let receipt = try await writes.perform(CompleteTask.Intent(taskID: taskID, points: points)) else {
            throw ToolFailure("Task \(taskID) was not completed.")
        }
        return await answer(receipt.state, task: receipt.result.task, what: "the completion", context)
    }

    static let tiers = ValueTier.workos.map(\.rawValue)
    static let newStatuses = ["active", "queued", "backlog"]

    /// A task as WorkOS's write answers give it (its subtasks as a list, its cognitive load).
    static func stored(_ task: WorkTask, _ context: ToolContext) async -> JSON {
        let id = task.id
        let load = try? await context.cache.read { db in try LifeStore.loads([id], db)[id] }
        return RecordJSON.storedTask(task, cognitiveLoad: load ?? nil)
    }

    /// A write's answer: WorkOS's `{success, task}`, with `pending` (Tally's) true while the
    /// write waits for the primary.
    static func answer(_ state: WriteState, key: String = "task", task: WorkTask?, what: String = "the write",
                       _ context: ToolContext) async -> JSON {
        var members: [(String, JSON)] = [("success", .bool(true))]
        if let task {
            members.append((key, await stored(task, context)))
        } else {
            members.append((key, .null))
        }
        if case .queued(let reason) = state {
            let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
            members.append(("pending", .bool(true)))
            members.append(("message", .string("\(cause); \(what) is kept and applied to the primary on the next sync.")))
        } else {
            members.append(("pending", .bool(false)))
        }
        return .object(members)
    }

    /// A task write's answer, or its current row when the write changed nothing.
    static func answer<W: Write>(_ receipt: WriteReceipt<W>?, taskID: Int64?, context: ToolContext) async throws -> JSON
        where W.Result == [WorkTask] {
        guard let receipt else {
            let current = try await context.cache.read { db in try WorkTask.fetchOne(db, key: taskID) }
            return await answer(.unchanged, task: current, context)
        }
        return await answer(receipt.state, task: receipt.result.first, context)
    }

    static let createTask = MCPTool(
        name: "workos_create_task",
        description: """
            Create a work task. Only title is required; it goes first in its status (default backlog), \
            with value tier progress unless given. Written to the primary database first, then the local \
            cache; when the primary is unreachable it is queued (pending: true) and added once on the \
            next sync. Answers success and the new task (its id).
            """,
        inputSchema: Schema.object([
            ("title", Schema.string("The task's title (1–200 characters)")),
            ("description", Schema.string("What the task is about (up to 2000 characters)")),
            ("clientId", Schema.id("The client it is for (from workos_get_clients)")),
            ("status", Schema.string("active (today), queued (up next) or backlog (default)", oneOf: newStatuses)),
            ("category", Schema.string("work (the default; the only category created here)", oneOf: ["work"])),
            ("valueTier", Schema.string("checkbox (1 point), progress (2, default), deliverable (4) or milestone (7)", oneOf: tiers)),
            ("points", Schema.integer("Points it will earn instead of its tier's (0–1000)", minimum: 0, maximum: 1000)),
        ], required: ["title"]),
        outputSchema: Out.write("task", Out.task),
        readOnly: false, idempotent: false
    ) { arguments, context in
        let writes = try context.pipeline()
        guard let title = try arguments.optionalString("title", maxLength: 200),
              !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ToolFailure("title is required: the task's title, 1 to 200 characters.")
        }
        _ = try arguments.optionalString("category", allowed: ["work"])
        let new = NewTask(
            title: title,
            description: try arguments.optionalString("description", maxLength: 2000),
            clientID: try arguments.optionalID("clientId"),
            valueTier: try arguments.optionalString("valueTier", allowed: tiers),
            status: try arguments.optionalString("status", allowed: newStatuses),
            points: try arguments.optionalInt("points", in: 0...1000))
        return try await answer(try await writes.perform(AddTask.Intent(new)), taskID: nil, context: context)
    }

    static let updateTask = MCPTool(
        name: "workos_update_task",
        description: """
            Change a task: title, description, clientId (null to unassign), status (active, queued or \
            backlog; complete it with workos_complete_task), valueTier, points, subtasks (the whole list \
            of {title, done}). Fields not given keep their values. Written to the primary first, then the \
            local cache; queued (pending: true) when the primary is unreachable. Answers the task.
            """,
        inputSchema: Schema.object([
            ("taskId", Schema.id("The task to change")),
            ("title", Schema.string("New title (1–200 characters)")),
            ("description", Schema.string("New description (up to 2000 characters)")),
            ("clientId", .object(["type": .array(["integer", "null"]), "minimum": 1,
                                  "description": "New client id, or null for none"])),
            ("status", Schema.string("New status", oneOf: newStatuses)),
            ("valueTier", Schema.string("New value tier", oneOf: tiers)),
            ("points", Schema.integer("Points it will earn instead of its tier's (0–1000)", minimum: 0, maximum: 1000)),
            ("subtasks", .object([
                "type": "array", "description": "The whole subtask list",
                "items": .object(["type": "object", "required": ["title"],
                                  "properties": .object(["title": .object(["type": "string"]),
                                                         "done": .object(["type": "boolean"])])]),
            ])),
        ], required: ["taskId"]),
        outputSchema: Out.write("task", Out.task),
        readOnly: false, destructive: true, idempotent: true
    ) { arguments, context in
        let writes = try context.pipeline()
        let taskID = try arguments.id("taskId")
        var values: [TaskField: FieldValue] = [:]
        if let title = try arguments.optionalString("title", maxLength: 200) { values[.title] = .text(title) }
        if let description = try arguments.optionalString("description", maxLength: 2000) { values[.description] = .text(description) }
        if arguments.isNull("clientId") {
            values[.clientID] = .null
        } else if let client = try arguments.optionalID("clientId") {
            values[.clientID] = .int(client)
        }
        if let status = try arguments.optionalString("status", allowed: newStatuses) { values[.status] = .text(status) }
        if let tier = try arguments.optionalString("valueTier", allowed: tiers) { values[.valueTier] = .text(tier) }
        if let points = try arguments.optionalInt("points", in: 0...1000) { values[.pointsFinal] = .int(Int64(points)) }
        if let subtasks = try arguments.subtasks("subtasks") { values[.subtasks] = .text(subtasks) }
        guard !values.isEmpty else {
            throw ToolFailure("Nothing to change: give title, description, clientId, status, valueTier, points or subtasks.")
        }
        return try await answer(try await writes.perform(EditTask.Intent(taskID: taskID, values: values)), taskID: taskID,
                                context: context)
    }

    static let promoteTask = MCPTool(
        name: "workos_promote_task",
        description: """
            Move a task to active (today's work). Written to the primary first, then the local cache; \
            queued (pending: true) when the primary is unreachable. Answers the task.
            """,
        inputSchema: Schema.object([("taskId", Schema.id("The task to make active"))], required: ["taskId"]),
        outputSchema: Out.write("task", Out.task),
        readOnly: false, idempotent: true
    ) { arguments, context in
        let writes = try context.pipeline()
        let taskID = try arguments.id("taskId")
        return try await answer(try await writes.perform(EditTask.Promote(taskID: taskID)), taskID: taskID, context: context)
    }

    static let deleteTask = MCPTool(
        name: "workos_delete_task",
        description: """
            Delete a task for good (duplicates, cleanup). Removed from the primary first, then the local \
            cache; queued (pending: true) when the primary is unreachable. Answers the deleted task.
            """,
        inputSchema: Schema.object([("taskId", Schema.id("The task to delete"))], required: ["taskId"]),
        outputSchema: Out.write("deleted", Out.task),
        readOnly: false, destructive: true, idempotent: true
    ) { arguments, context in
        let writes = try context.pipeline()
        let taskID = try arguments.id("taskId")
        guard let receipt = try await writes.perform(DeleteTask.Intent(taskID: taskID)) else {
            throw ToolFailure("Task \(taskID) was not deleted.")
        }
        return await answer(receipt.state, key: "deleted", task: receipt.write.task, context)
    }
}
