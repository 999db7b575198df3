import GRDB
import TallyCore

/// The cache's rows as the WorkOS MCP server answers them: its cache schema's camelCase names,
/// in that schema's column order, values as stored (timestamps as ISO text, `subtasks` as the
/// JSON text of the array, `isActive` as 0 or 1).
enum RecordJSON {
    static func task(_ t: WorkTask, clientName: String?? = nil) -> JSON {
        var members: [(String, JSON)] = [
            ("id", .int(t.id)),
            ("clientId", .optional(t.clientID)),
            ("title", .string(t.title)),
            ("description", .optional(t.description)),
            ("status", .optional(t.status)),
            ("category", .optional(t.category)),
            ("valueTier", .optional(t.valueTier)),
            ("effortEstimate", .optional(t.effortEstimate)),
            ("effortActual", .optional(t.effortActual)),
            ("drainType", .optional(t.drainType)),
            ("sortOrder", .optional(t.sortOrder)),
            ("subtasks", .optional(t.subtasks)),
            ("createdAt", .optional(t.createdAt)),
            ("updatedAt", .optional(t.updatedAt)),
            ("completedAt", .optional(t.completedAt)),
            ("backlogEnteredAt", .optional(t.backlogEnteredAt)),
            ("pointsAiGuess", .optional(t.pointsAIGuess)),
            ("pointsFinal", .optional(t.pointsFinal)),
            ("pointsAdjustedAt", .optional(t.pointsAdjustedAt)),
        ]
        if let clientName { members.append(("clientName", .optional(clientName))) }
        return .object(members)
    }

    /// A task as WorkOS's PostgreSQL row (a write's answer): `subtasks` the array it holds and
    /// `cognitiveLoad` beside `drainType`.
    static func storedTask(_ t: WorkTask, cognitiveLoad: String?) -> JSON {
        guard case .object(var members) = task(t) else { return .null }
        if let index = members.firstIndex(where: { $0.0 == "subtasks" }) { members[index].1 = .parsed(t.subtasks) }
        let after = (members.firstIndex { $0.0 == "drainType" } ?? members.count - 1) + 1
        members.insert(("cognitiveLoad", .optional(cognitiveLoad)), at: after)
        return .object(members)
    }

    /// A life table's row with WorkOS's camelCase names, in the table's column order; integers
    /// and text as stored, `bool` columns as true or false.
    static func record(_ r: LifeRecord, bool: Set<String> = []) -> JSON {
        .object(zip(r.columns, r.values).map { column, value in
            let name = camelCase(column)
            if bool.contains(column) { return (name, Int64.fromDatabaseValue(value).map { .bool($0 != 0) } ?? .null) }
            switch value.storage {
            case .null: return (name, .null)
            case .int64(let v): return (name, .int(v))
            case .double(let v): return (name, .double(v))
            case .string(let v): return (name, .string(v))
            case .blob(let v): return (name, .string(String(decoding: v, as: UTF8.self)))
            }
        })
    }

    /// `snake_case` → `camelCase`.
    static func camelCase(_ name: String) -> String {
        let parts = name.split(separator: "_")
        return (parts.first.map(String.init) ?? "") + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func client(_ c: Client) -> JSON {
        .object([
            ("id", .int(c.id)),
            ("name", .string(c.name)),
            ("type", .optional(c.type)),
            ("color", .optional(c.color)),
            ("isActive", c.isActive.map { .int($0 ? 1 : 0) } ?? .null),
            ("createdAt", .optional(c.createdAt)),
        ])
    }

    /// A goal row as WorkOS's PostgreSQL row: the cache's columns and, from Tally's copy of the
    /// primary (`energy`), the energy adjustment's (`adjusted` when only the target is known).
    static func goal(_ g: DailyGoal, energy: LifeRecord? = nil, adjusted: Int? = nil) -> JSON {
        .object([
            ("id", .int(g.id)),
            ("date", .string(g.date)),
            ("targetPoints", .optional(g.targetPoints)),
            ("earnedPoints", .optional(g.earnedPoints)),
            ("taskCount", .optional(g.taskCount)),
            ("currentStreak", .optional(g.currentStreak)),
            ("longestStreak", .optional(g.longestStreak)),
            ("lastGoalHitDate", .optional(g.lastGoalHitDate)),
            ("dailyDebt", .optional(g.dailyDebt)),
            ("weeklyDebt", .optional(g.weeklyDebt)),
            ("pressureLevel", .optional(g.pressureLevel)),
            ("adjustedTargetPoints", .optional(energy?.int("adjusted_target_points") ?? adjusted)),
            ("readinessScore", .optional(energy?.int("readiness_score"))),
            ("energyLevel", .optional(energy?.text("energy_level"))),
            ("adjustmentReason", .optional(energy?.text("adjustment_reason"))),
            ("updatedAt", .optional(g.updatedAt)),
        ])
    }

    static func habit(_ h: Habit) -> JSON {
        .object([
            ("id", .int(h.id)),
            ("name", .string(h.name)),
            ("description", .optional(h.description)),
            ("emoji", .optional(h.emoji)),
            ("frequency", .optional(h.frequency)),
            ("targetCount", .optional(h.targetCount)),
            ("currentStreak", .optional(h.currentStreak)),
            ("longestStreak", .optional(h.longestStreak)),
            ("isActive", h.isActive.map { .int($0 ? 1 : 0) } ?? .null),
            ("sortOrder", .optional(h.sortOrder)),
            ("createdAt", .optional(h.createdAt)),
            ("updatedAt", .optional(h.updatedAt)),
        ])
    }
}
