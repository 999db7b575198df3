import Foundation
import GRDB
import TallyCore

/// `life_get_energy` and `workos_get_energy_aware_tasks`: the energy readings, and the open tasks
/// ranked for today's energy by WorkOS's rules (`EnergyMatch`, `EnergyContext`).
enum EnergyTools {
    static let levels = ["high", "medium", "low"]

    static let reading = Out.object([
        ("id", Out.integer), ("level", Out.string), ("source", Out.optionalString), ("ouraReadiness", Out.optionalInteger),
        ("ouraHrv", Out.optionalInteger), ("ouraSleep", Out.optionalInteger), ("note", Out.optionalString),
        ("recordedAt", Out.string),
    ])

    static let getEnergy = MCPTool(
        name: "life_get_energy",
        description: """
            The latest energy readings, newest first: id, level (high, medium, low), source (manual, oura), \
            ouraReadiness, ouraHrv, ouraSleep, note, recordedAt. At most `limit` (1–100, default 5). \
            Answered from the local cache, which keeps 90 days of readings.
            """,
        inputSchema: Schema.object([("limit", Schema.integer("Most readings to return (default 5)", minimum: 1, maximum: 100))]),
        outputSchema: Out.list("readings", reading), listKey: "readings",
        readOnly: true
    ) { arguments, context in
        let limit = try arguments.optionalInt("limit", in: 1...100) ?? 5
        try context.requireLife(.energyStates)
        let rows = try context.cache.read { db in
            try LifeStore.records(.energyStates, order: "recorded_at DESC, id DESC", limit: limit, db)
        }
        return .array(rows.map { RecordJSON.record($0) })
    }

    /// Today's energy as WorkOS's `energyContext`.
    static func energyContext(_ energy: EnergyContext) -> JSON {
        .object([
            ("energyLevel", .string(energy.level.rawValue)),
            ("readinessScore", .optional(energy.readinessScore)),
            ("sleepScore", .optional(energy.sleepScore)),
            ("source", .string(energy.source.rawValue)),
            ("timestamp", .optional(energy.timestamp)),
        ])
    }

    static let energyAwareTasks = MCPTool(
        name: "workos_get_energy_aware_tasks",
        description: """
            The open tasks (active, queued, backlog; work and personal) ranked by how well they suit \
            today's energy, best first: a cognitive load matching the energy level scores 100, a near \
            one 50, plus bonuses for the value tier, drain type, effort and an active status. The \
            energy is today's newest logged reading, else today's Oura readiness, else medium; \
            energy_level (high, medium, low) overrides it. At most `limit` tasks (default 50; 0 for \
            all). Each task has id, title, description, status, category, valueTier, drainType, \
            cognitiveLoad, effortEstimate, points, clientName, energyScore, matchReason. From the local cache.
            """,
        inputSchema: Schema.object([
            ("energy_level", Schema.string("Use this energy level instead of today's", oneOf: levels)),
            ("limit", Schema.integer("Most tasks to return (default 50; 0 for all)", minimum: 0, maximum: 1_000_000)),
        ]),
        outputSchema: Out.object([("energyContext", Out.energyContext), ("taskCount", Out.integer),
                                  ("tasks", Out.unboundedArray(of: """
                                      objects {id, title, description, status, category, valueTier, drainType, \
                                      cognitiveLoad, effortEstimate, points, clientName, energyScore, matchReason}
                                      """))]),
        readOnly: true, lookups: [.tasks, .clients]
    ) { arguments, context in
        let override = try arguments.optionalString("energy_level", allowed: levels).flatMap(EnergyLevel.init(rawValue:))
        let limit = try arguments.optionalInt("limit", in: 0...1_000_000) ?? 50
        let energy = try override.map { EnergyContext(level: $0, readinessScore: nil, sleepScore: nil, source: .manualOverride,
                                                      timestamp: Timestamp.format(Date())) }
            ?? context.energy()
        let ranked = try context.rankedTasks(for: energy.level, limit: limit == 0 ? nil : limit)
        let names = try context.clientNames()
        return .object([
            ("energyContext", energyContext(energy)),
            ("taskCount", .int(ranked.count)),
            ("tasks", .array(ranked.map { ranked in
                let task = ranked.task
                return .object([
                    ("id", .int(task.id)), ("title", .string(task.title)), ("description", .optional(task.description)),
                    ("status", .optional(task.status)), ("category", .optional(task.category)),
                    ("valueTier", .optional(task.valueTier)), ("drainType", .optional(task.drainType)),
                    ("cognitiveLoad", .optional(ranked.cognitiveLoad)), ("effortEstimate", .optional(task.effortEstimate)),
                    ("points", .int(Points.forTask(task))), ("clientName", .optional(task.clientID.flatMap { names[$0] })),
                    ("energyScore", .int(ranked.score)), ("matchReason", .string(ranked.reason)),
                ])
            })),
        ])
    }
}

extension ToolContext {
    /// The open tasks ranked for `level` (`LifeStore.rankedTasks`), kept while the cache is unchanged.
    func rankedTasks(for level: EnergyLevel, limit: Int?) throws -> [LifeStore.RankedTask] {
        try kept.answer("ranked:\(level.rawValue):\(limit.map(String.init) ?? "all")") {
            try cache.read { db in try LifeStore.rankedTasks(for: level, limit: limit, db) }
        }
    }

    /// Every client's name by id.
    func clientNames() throws -> [Int64: String] {
        try kept.answer("client-names") {
            try cache.read { db in
                Dictionary(try Client.fetchAll(db, sql: "SELECT * FROM cached_clients").map { ($0.id, $0.name) },
                           uniquingKeysWith: { first, _ in first })
            }
        }
    }
}
