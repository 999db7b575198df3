import Foundation
import GRDB
import TallyCore

/// `workos_get_tasks`, `workos_get_clients` and `life_get_habits`: rows of the cache, as the
/// WorkOS MCP server answers them from its own cache.
enum TaskReadTools {
    static let statuses = ["active", "queued", "backlog", "done"]

    static let getTasks = MCPTool(
        name: "workos_get_tasks",
        description: """
            List work tasks. Without a status: every task that is not done (active = today, queued = up \
            next, backlog). Filter by status, by client (clientId, or clientName such as 'Orlando', \
            case-insensitive). Ordered as in WorkOS (sort order, then newest first); at most `limit` \
            tasks (default 50). Each task has id, clientId, clientName, title, description, status, \
            category, valueTier, drainType, pointsFinal, pointsAiGuess, effortEstimate, sortOrder, \
            subtasks (JSON text), createdAt, updatedAt, completedAt. Answered from the local cache.
            """,
        inputSchema: Schema.object([
            ("status", Schema.string("active, queued, backlog or done (default: all but done)", oneOf: statuses)),
            ("clientId", Schema.id("Only this client's tasks (its id, from workos_get_clients)")),
            ("clientName", Schema.string("Only this client's tasks, by name (case-insensitive), e.g. 'Orlando'")),
            ("limit", Schema.integer("Most tasks to return (default 50)", minimum: 1, maximum: 100)),
        ]),
        readOnly: true, lookups: [.tasks]
    ) { arguments, context in
        let status = try arguments.optionalString("status", allowed: statuses)
        let clientID = try arguments.optionalID("clientId")
        let clientName = try arguments.optionalString("clientName", maxLength: 100)
        let limit = try arguments.optionalInt("limit", in: 1...100) ?? 50
        if try arguments.optionalBool("applyEnergyFilter") == true {
            throw ToolFailure("applyEnergyFilter needs WorkOS's energy readings, which the cache does not hold; call without it.")
        }
        return try context.cache.read { db in
            let clients = try Client.fetchAll(db, sql: "SELECT * FROM cached_clients ORDER BY id")
            let client = try pick(clientID: clientID, name: clientName, among: clients)
            let tasks = try TaskList(status: status, clientID: client, limit: limit).tasks(db)
            let names = Dictionary(clients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            return .array(tasks.map { task in
                RecordJSON.task(task, clientName: .some(task.clientID.flatMap { names[$0] }))
            })
        }
    }

    /// The client a call names by id or by name; an unknown one is a failure that lists the clients.
    static func pick(clientID: Int64?, name: String?, among clients: [Client]) throws -> Int64? {
        let known = clients.filter { $0.isActive != false }.map(\.name).sorted()
        let listed = known.prefix(30).joined(separator: ", ") + (known.count > 30 ? ", …" : "")
        if let clientID {
            guard clients.contains(where: { $0.id == clientID }) else {
                throw ToolFailure("There is no client with id \(clientID) in the cache; clients: \(listed).")
            }
            return clientID
        }
        guard let name else { return nil }
        let matches = clients.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        guard let match = matches.first(where: { $0.isActive != false }) ?? matches.first else {
            throw ToolFailure("No client named \"\(name)\"; clients: \(listed).")
        }
        return match.id
    }

    static let getClients = MCPTool(
        name: "workos_get_clients",
        description: """
            List the active clients: id, name, type (client, internal or project), color, isActive, \
            createdAt. Answered from the local cache.
            """,
        inputSchema: Schema.object(),
        readOnly: true, lookups: [.clients]
    ) { _, context in
        try context.cache.read { db in
            .array(try Client.fetchAll(db, sql: "SELECT * FROM cached_clients WHERE is_active = 1 ORDER BY id")
                .map(RecordJSON.client))
        }
    }

    static let getHabits = MCPTool(
        name: "life_get_habits",
        description: """
            List the active habits with their streaks: id, name, description, emoji, frequency (daily, \
            weekdays or weekly), targetCount, currentStreak, longestStreak, sortOrder, lastCompletedDate, \
            and completedToday (checked in today, local time). Answered from the local cache.
            """,
        inputSchema: Schema.object(),
        readOnly: true, lookups: [.habits]
    ) { _, context in
        .array(try await HabitStatus.read(context.cache, now: context.clock.now, timeZone: context.timeZone).map(HabitTools.habit))
    }
}
