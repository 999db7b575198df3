import Foundation
import GRDB
import TallyCore

/// `workos_get_server_version` and `workos_get_client_memory`.
enum ClientMemoryTools {
    static let serverVersion = MCPTool(
        name: "workos_get_server_version",
        description: """
            Which server answers: name (tally), version (Tally's) and schemaVersion ("1", WorkOS's). \
            Tally serves the WorkOS MCP tools from a local cache of the WorkOS database.
            """,
        inputSchema: Schema.object(),
        outputSchema: Out.object([("name", Out.string), ("version", Out.string), ("schemaVersion", Out.string),
                                  ("compatibleWith", Out.string)]),
        readOnly: true
    ) { _, _ in
        .object([
            ("name", .string("tally")),
            ("version", .string(ToolCall.current?.serverVersion ?? "unknown")),
            ("schemaVersion", .string("1")),
            ("compatibleWith", .string("workos-mcp 1.1.1")),
        ])
    }

    static let memory = Out.object([
        ("id", Out.string), ("clientName", Out.string), ("tier", Out.optionalString), ("lastTaskId", Out.optionalString),
        ("lastTaskDescription", Out.optionalString), ("lastTaskAt", Out.optionalString), ("totalTasks", Out.optionalInteger),
        ("staleDays", Out.optionalInteger), ("notes", Out.optionalString), ("sentiment", Out.optionalString),
        ("importance", Out.optionalString), ("avoidanceScore", Out.optionalInteger), ("blockerReason", Out.optionalString),
        ("riskLevel", Out.optionalString), ("workDebt", Out.optionalString), ("createdAt", Out.optionalString),
        ("updatedAt", Out.optionalString),
    ])

    static let clientMemory = MCPTool(
        name: "workos_get_client_memory",
        description: """
            What is remembered about one client (clientName, e.g. 'Orlando'): tier, the last task and \
            when, totalTasks, staleDays, notes, sentiment, importance, avoidanceScore, blockerReason, \
            riskLevel (normal, elevated, high, critical), workDebt. The name matches exactly, else \
            case-insensitively. Answered from the local cache; none found is an error saying so.
            """,
        inputSchema: Schema.object([
            ("clientName", Schema.string("The client's name (1–100 characters)", minLength: 1, maxLength: 100)),
        ], required: ["clientName"]),
        outputSchema: memory,
        readOnly: true, lookups: [.clients]
    ) { arguments, context in
        guard let name = try arguments.optionalString("clientName", maxLength: 100, trimmed: true), !name.isEmpty else {
            throw ToolFailure("clientName is required: the client's name, 1 to 100 characters.")
        }
        try context.requireLife(.clientMemory)
        let found = try context.cache.read { db -> LifeRecord? in
            if let exact = try LifeStore.records(.clientMemory, where: "client_name = ?", arguments: [name], limit: 1, db).first {
                return exact
            }
            let folded = try LifeStore.records(.clientMemory, where: "lower(client_name) = lower(?)", arguments: [name], db)
            return folded.count == 1 ? folded.first : nil
        }
        guard let found else { throw ToolFailure("No memory found for client: \(name)") }
        return RecordJSON.record(found)
    }
}
