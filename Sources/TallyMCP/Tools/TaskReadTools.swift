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
            subtasks (JSON text), createdAt, updatedAt, completedAt. With applyEnergyFilter, the answer \
            is {tasks, filterMetadata}: of those tasks, the ones whose cognitive load today's readiness \
            allows (under 60 low only, 60–75 low and medium, above 75 or unknown all). Answered from the \
            local cache.
            """,
        inputSchema: Schema.object([
            ("status", Schema.string("active, queued, backlog or done (default: all but done)", oneOf: statuses)),
            ("clientId", Schema.id("Only this client's tasks (its id, from workos_get_clients)")),
            ("clientName", Schema.string("Only this client's tasks, by name (case-insensitive), e.g. 'Orlando'",
                                         minLength: 1, maxLength: 100)),
            ("limit", Schema.integer("Most tasks to return (default 50)", minimum: 1, maximum: 100)),
            ("applyEnergyFilter", Schema.boolean("Keep only the tasks today's energy allows (default false)")),
        ]),
        outputSchema: Out.object([
            ("tasks", Out.array(Out.cachedTask)),
            ("filterMetadata", Out.object([
                ("applied", Out.boolean), ("readinessScore", Out.optionalInteger), ("energyLevel", Out.string),
                ("filteredCount", Out.integer), ("totalCount", Out.integer), ("explanation", Out.string),
            ])),
        ], optional: ["filterMetadata"]),
        listKey: "tasks",
        readOnly: true, lookups: [.tasks]
    ) { arguments, context in
        let status = try arguments.optionalString("status", allowed: statuses)
        let clientID = try arguments.optionalID("clientId")
        let clientName = try arguments.optionalString("clientName", maxLength: 100, trimmed: true)
        let limit = try arguments.optionalInt("limit", in: 1...100) ?? 50
        let energyFilter = try arguments.optionalBool("applyEnergyFilter") ?? false
        let (tasks, names) = try context.cache.read { db in
            let clients = try Client.fetchAll(db, sql: "SELECT * FROM cached_clients ORDER BY id")
            let client = try pick(clientID: clientID, name: clientName, among: clients)
            let tasks = try TaskList(status: status, clientID: client, limit: limit).tasks(db)
            return (tasks, Dictionary(clients.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }))
        }
        func listed(_ tasks: [WorkTask]) -> JSON {
            .array(tasks.map { task in RecordJSON.task(task, clientName: .some(task.clientID.flatMap { names[$0] })) })
        }
        guard energyFilter else { return listed(tasks) }
        // WorkOS filters the page it read (the limit first), by each task's cognitive load (a task
        // without one counts as medium).
        let energy = try context.energy()
        let gate = EnergyGate(readiness: energy.readinessScore)
        let loads = try context.cache.read { db in try LifeStore.loads(tasks.map(\.id), db) }
        let allowed = tasks.filter { gate.allows(loads[$0.id]) }
        let held = tasks.filter { !gate.allows(loads[$0.id]) }.map { loads[$0.id] }
        return .object([
            ("tasks", listed(allowed)),
            ("filterMetadata", .object([
                ("applied", .bool(true)), ("readinessScore", .optional(energy.readinessScore)),
                ("energyLevel", .string(energy.level.rawValue)), ("filteredCount", .int(held.count)),
                ("totalCount", .int(tasks.count)), ("explanation", .string(gate.explanation(filteredLoads: held))),
            ])),
        ])
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
            // WorkOS answers this one as JSON, with the names to choose from.
            let answer: JSON = .object([("error", .string("No client found with name \"\(name)\"")),
                                        ("availableClients", .array(known.map(JSON.string)))])
            throw ToolFailure(answer.text(pretty: false))
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
        outputSchema: Out.list("clients", Out.client), listKey: "clients",
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
            timeOfDay (morning, evening, anytime), category, and completedToday (checked in today, in the \
            configured time zone). Answered from the local cache.
            """,
        inputSchema: Schema.object(),
        outputSchema: Out.list("habits", Out.habit), listKey: "habits",
        readOnly: true, lookups: [.habits]
    ) { _, context in
        let statuses = try await HabitStatus.read(context.cache, now: context.clock.now, timeZone: context.timeZone)
        let details = try await context.cache.read { db in try LifeStore.habitDetails(db) }
        return .array(statuses.map { HabitTools.habit($0, details: details[$0.habit.id]) })
    }
}
