import Foundation
import GRDB
import TallyCore

/// `life_brain_dump` and `life_process_brain_dump`: each one write kind of the core's pipeline,
/// answered as WorkOS does.
enum BrainDumpTools {
    static let brainDump = MCPTool(
        name: "life_brain_dump",
        description: """
            Capture a thought, idea, worry or task in a few words, to sort out later: content (1–5000 \
            characters), category (thought, task, idea, worry; optional), context (work or personal, \
            default personal). It is listed by life_get_brain_dump at once. Written to the primary \
            first, then the local cache; queued (pending: true, a negative id until then) when the \
            primary is unreachable. Answers the entry.
            """,
        inputSchema: Schema.object([
            ("content", Schema.string("What to capture (1–5000 characters)", minLength: 1, maxLength: 5000)),
            ("category", Schema.string("What kind of entry", oneOf: BrainDump.categories)),
            ("context", Schema.string("work or personal (default personal)", oneOf: BrainDump.contexts)),
        ], required: ["content"]),
        outputSchema: LifeWriteAnswers.schema([("entry", LifeReadTools.entry)]),
        readOnly: false, idempotent: false
    ) { arguments, context in
        guard let content = try arguments.optionalString("content", maxLength: 5000, trimmed: true), !content.isEmpty else {
            throw ToolFailure("content is required: what to capture, 1 to 5000 characters.")
        }
        let intent = BrainDump.Intent(content: content, category: try arguments.optionalString("category", allowed: BrainDump.categories),
                                      context: try arguments.optionalString("context", allowed: BrainDump.contexts))
        let receipt = try await LifeWriteAnswers.perform(intent, context)
        return .object([("success", .bool(true)), ("entry", LifeWriteAnswers.row(.brainDump, receipt.result.entry))]
                       + LifeWriteAnswers.pending(receipt.state, what: "the entry"))
    }

    static let processBrainDump = MCPTool(
        name: "life_process_brain_dump",
        description: """
            Mark a brain-dump entry processed (entryId, from life_get_brain_dump), optionally turning it \
            into a task first (convertToTask): a backlog task titled with the entry's first 100 \
            characters and described by the whole of it, of taskCategory (work, or personal, the \
            default). The task and the entry are written in one transaction on the primary, then the \
            local cache; queued (pending: true) when the primary is unreachable. An entry already \
            processed is refused. Answers convertedToTaskId (null without a task).
            """,
        inputSchema: Schema.object([
            ("entryId", Schema.id("The entry to process")),
            ("convertToTask", Schema.boolean("Turn it into a task first (default false)")),
            ("taskCategory", Schema.string("The task's category (default personal)", oneOf: BrainDump.contexts)),
        ], required: ["entryId"]),
        outputSchema: LifeWriteAnswers.schema([("convertedToTaskId", Out.optionalInteger)]),
        readOnly: false, destructive: true, idempotent: true
    ) { arguments, context in
        let intent = ProcessBrainDump.Intent(entryID: try arguments.id("entryId"),
                                             convertToTask: try arguments.optionalBool("convertToTask") ?? false,
                                             taskCategory: try arguments.optionalString("taskCategory", allowed: BrainDump.contexts))
        let receipt = try await LifeWriteAnswers.perform(intent, context)
        return .object([("success", .bool(true)), ("convertedToTaskId", .optional(receipt.result.task?.id))]
                       + LifeWriteAnswers.pending(receipt.state, what: "the processing"))
    }
}
