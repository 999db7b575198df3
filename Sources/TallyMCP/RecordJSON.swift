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

    static func goal(_ g: DailyGoal) -> JSON {
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
