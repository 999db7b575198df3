import Foundation
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
        readOnly: false, lookups: []
    ) { arguments, context in
        let writer = try context.writer()
        let taskID = try arguments.id("taskId")
        let points = try arguments.optionalInt("points", in: 0...1000)
        let outcome = try await writer.complete(taskID: taskID, points: points, timeZone: context.timeZone)
        switch outcome {
        case .applied(let task, _, _):
            return .object([("success", .bool(true)), ("task", RecordJSON.task(task)), ("pending", .bool(false))])
        case .queued(let task, _, _, let reason):
            let cause = reason.hasSuffix(".") ? String(reason.dropLast()) : reason
            return .object([
                ("success", .bool(true)), ("task", RecordJSON.task(task)), ("pending", .bool(true)),
                ("message", .string("\(cause); the completion is kept and applied to the primary on the next sync.")),
            ])
        }
    }
}
