import Foundation
import GRDB

/// Creating a habit (`life_create_habit`): one `habits` row with WorkOS's defaults (daily, once,
/// any time of day, streaks 0, active). With `keepID` it is a deleted habit coming back under
/// its own id with its completions (the undo of `DeleteHabit`).
///
/// Made while the primary is away, it shows under a negative id until the replay gives it the
/// primary's; a habit waiting so cannot be checked in or deleted yet (its id is not known).
/// Its name and `created_at`, written by the write itself, are its identity on the primary: a
/// replay finds it and writes nothing. Undo deletes it (`DeleteHabit`).
public struct CreateHabit: Write {
    public static let kind = "habit.create"

    public var key: String
    public var habit: HabitRow
    /// A deleted habit coming back under its own id.
    public var keepID: Bool?
    /// With `keepID`: its completions, back under their ids.
    public var completions: [HabitCompletionRow]?
    /// The negative id it shows under while queued.
    public var localID: Int64?

    public struct Result: Sendable, Equatable {
        public var habit: HabitRow
        public var completions: [HabitCompletionRow]
        public var wrote: Bool
    }

    public init(key: String, habit: HabitRow, keepID: Bool? = nil, completions: [HabitCompletionRow]? = nil) {
        self.key = key
        self.habit = habit
        self.keepID = keepID
        self.completions = completions
    }

    public var subject: WriteSubject { .habit(localID ?? habit.id) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (CreateHabit, Result) {
        if keepID == true {
            if let existing = try await tx.row("habits", HabitRow.columns, where: [.equals("id", habit.id.databaseValue)]) {
                return (self, Result(habit: HabitRow(existing), completions: [], wrote: false))
            }
            var values = habit.values
            values["id"] = habit.id.databaseValue
            try await tx.insert("habits", values)
            let back = completions ?? []
            if !back.isEmpty {
                try OlderWorkOS.check(tx, "habit_completions", ["habit_id", "completed_at"], doing: "bring the habit's completions back")
                for completion in back {
                    try await tx.insert("habit_completions", ["id": completion.id.databaseValue, "habit_id": habit.id.databaseValue,
                                                              "completed_at": completion.completedAt.databaseValue,
                                                              "note": completion.note.databaseValue])
                }
            }
            let stored = try await tx.row("habits", HabitRow.columns, where: [.equals("id", habit.id.databaseValue)])
            return (self, Result(habit: stored.map(HabitRow.init) ?? habit, completions: back, wrote: true))
        }
        if let createdAt = habit.createdAt, tx.has("habits", "created_at"),
           let found = try await tx.row("habits", HabitRow.columns, where: [.equals("name", habit.name.databaseValue),
                                                                           .equals("created_at", createdAt.databaseValue)]) {
            // A replay: the habit is there, whatever was written to it since.
            let existing = HabitRow(found)
            var applied = self
            applied.habit = existing
            return (applied, Result(habit: existing, completions: [], wrote: false))
        }
        guard let id = try await tx.insert("habits", habit.values),
              let found = try await tx.row("habits", HabitRow.columns, where: [.equals("id", id.databaseValue)]) else {
            throw TallyError.conflict("\(tx.shown) did not keep the new habit.")
        }
        let stored = HabitRow(found)
        var applied = self
        applied.habit = stored
        return (applied, Result(habit: stored, completions: [], wrote: true))
    }

    public func record(_ result: Result, in db: Database) throws {
        if let localID, localID != result.habit.id { try LifeStore.removeHabit(localID, db) }
        try Self.put(result.habit, result.completions, db)
    }

    public func show(in db: Database) throws -> (CreateHabit, Result) {
        var shown = self
        var row = habit
        if keepID != true {
            let local = try localID ?? (min(try Int64.fetchOne(db, sql: "SELECT min(id) FROM cached_habits") ?? 0, 0) - 1)
            shown.localID = local
            row.id = local
        }
        shown.habit = row
        try Self.put(row, completions ?? [], db)
        return (shown, Result(habit: row, completions: completions ?? [], wrote: true))
    }

    /// The habit in the cache: its row, its WorkOS columns, its completions.
    static func put(_ habit: HabitRow, _ completions: [HabitCompletionRow], _ db: Database) throws {
        var row = habit.habit
        row.lastCompletedDate = nil  // not a column of the cache's habit table
        try CacheRows.upsert(row, db)
        try LifeStore.putHabitDetails(id: habit.id, lastCompletedDate: habit.lastCompletedDate, timeOfDay: habit.timeOfDay,
                                      category: habit.category, db)
        for completion in completions {
            if let id = completion.id {
                try LifeStore.put(.habitCompletions, ["id": id.databaseValue, "habit_id": habit.id.databaseValue,
                                                      "completed_at": completion.completedAt.databaseValue,
                                                      "note": completion.note.databaseValue], db)
            }
            try CacheRows.addHabitCheckIn(HabitCompletion(habitID: habit.id, completedAt: completion.completedAt, note: completion.note),
                                          pending: false, db)
        }
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        DeleteHabit(key: key, habitID: habit.id, habit: habit, completions: completions ?? [])
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        let name = "“\(TextSafety.sanitize(result.habit.name))”"
        let line = keepID == true ? "habit \(name) is back" : "habit \(name) created"
        return queued.map { "\(line), queued: \($0)" } ?? line
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: deleting “\(TextSafety.sanitize(result.habit.name))”" : "↶ undo queued"
    }
}

extension CreateHabit {
    public static let frequencies = ["daily", "weekdays", "weekly"]
    public static let timesOfDay = ["morning", "evening", "anytime"]
    public static let categories = ["health", "productivity", "relationship", "personal"]

    /// What a person asks: a new habit; nil fields take WorkOS's defaults (daily, once a day,
    /// any time of day, no category).
    public struct Intent: WriteIntent {
        public var name: String
        public var description: String?
        public var emoji: String?
        public var frequency: String?
        public var targetCount: Int?
        public var timeOfDay: String?
        public var category: String?

        public init(name: String, description: String? = nil, emoji: String? = nil, frequency: String? = nil,
                    targetCount: Int? = nil, timeOfDay: String? = nil, category: String? = nil) {
            self.name = name
            self.description = description
            self.emoji = emoji
            self.frequency = frequency
            self.targetCount = targetCount
            self.timeOfDay = timeOfDay
            self.category = category
        }

        public var subject: WriteSubject { WriteSubject(.habit, []) }

        /// WorkOS's bounds: a name of 1–100 characters, a description of at most 500, an emoji of
        /// at most 10 UTF-16 units, a target count of 1–100.
        public func make(_ context: WriteContext) async throws -> CreateHabit? {
            let name = try LifeText.required(name, name: "name", max: 100)
            let description = try LifeText.optional(description, name: "description", max: 500)
            let emoji = emoji?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let emoji, emoji.utf16.count > 10 { throw TallyError.badArgument("emoji is at most 10 characters.") }
            for (field, value, allowed) in [("frequency", frequency, CreateHabit.frequencies), ("timeOfDay", timeOfDay, CreateHabit.timesOfDay),
                                            ("category", category, CreateHabit.categories)] {
                if let value, !allowed.contains(value) {
                    throw TallyError.badArgument("\(field) must be one of \(allowed.joined(separator: ", ")); got \(value).")
                }
            }
            let count = targetCount ?? 1
            guard (1...100).contains(count) else { throw TallyError.badArgument("targetCount must be from 1 to 100, got \(count).") }
            let now = context.stamp
            let habit = HabitRow(id: 0, name: name, description: description, emoji: emoji?.isEmpty == true ? nil : emoji,
                                 frequency: frequency ?? "daily", targetCount: count, currentStreak: 0, longestStreak: 0,
                                 isActive: true, sortOrder: 0, createdAt: now, updatedAt: now, lastCompletedDate: nil,
                                 timeOfDay: timeOfDay ?? "anytime", category: category)
            return CreateHabit(key: WriteContext.newKey(), habit: habit)
        }
    }
}

/// A habit as WorkOS's `habits` row holds it: the cache's columns and the three it lacks
/// (`last_completed_date`, `time_of_day`, `category`).
public struct HabitRow: Codable, Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var description: String?
    public var emoji: String?
    public var frequency: String?
    public var targetCount: Int?
    public var currentStreak: Int?
    public var longestStreak: Int?
    public var isActive: Bool?
    public var sortOrder: Int?
    public var createdAt: String?
    public var updatedAt: String?
    public var lastCompletedDate: String?
    public var timeOfDay: String?
    public var category: String?

    public static let columns = Habit.columnNames + ["last_completed_date", "time_of_day", "category"]

    public init(id: Int64, name: String, description: String?, emoji: String?, frequency: String?, targetCount: Int?,
                currentStreak: Int?, longestStreak: Int?, isActive: Bool?, sortOrder: Int?, createdAt: String?,
                updatedAt: String?, lastCompletedDate: String?, timeOfDay: String?, category: String?) {
        self.id = id
        self.name = name
        self.description = description
        self.emoji = emoji
        self.frequency = frequency
        self.targetCount = targetCount
        self.currentStreak = currentStreak
        self.longestStreak = longestStreak
        self.isActive = isActive
        self.sortOrder = sortOrder
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastCompletedDate = lastCompletedDate
        self.timeOfDay = timeOfDay
        self.category = category
    }

    /// A habit and its WorkOS columns.
    public init(_ habit: Habit, timeOfDay: String?, category: String?) {
        self.init(id: habit.id, name: habit.name, description: habit.description, emoji: habit.emoji, frequency: habit.frequency,
                  targetCount: habit.targetCount, currentStreak: habit.currentStreak, longestStreak: habit.longestStreak,
                  isActive: habit.isActive, sortOrder: habit.sortOrder, createdAt: habit.createdAt, updatedAt: habit.updatedAt,
                  lastCompletedDate: habit.lastCompletedDate, timeOfDay: timeOfDay, category: category)
    }

    /// A row read on the primary with `columns`.
    public init(_ row: PrimaryRow) {
        self.init(Habit(row: row.row), timeOfDay: row.text("time_of_day"), category: row.text("category"))
    }

    /// The contract's record, with `lastCompletedDate`.
    public var habit: Habit {
        Habit(id: id, name: name, description: description, emoji: emoji, frequency: frequency, targetCount: targetCount,
              currentStreak: currentStreak, longestStreak: longestStreak, isActive: isActive, sortOrder: sortOrder,
              createdAt: createdAt, updatedAt: updatedAt, lastCompletedDate: lastCompletedDate)
    }

    /// Its columns for an insert (NULLs left out: the table's defaults apply), without the id.
    var values: [String: DatabaseValue] {
        var values = Dictionary(uniqueKeysWithValues: zip(Habit.columnNames, habit.databaseValues))
        values["id"] = nil
        values["last_completed_date"] = lastCompletedDate.databaseValue
        values["time_of_day"] = timeOfDay.databaseValue
        values["category"] = category.databaseValue
        return values
    }
}

/// One of a habit's `habit_completions` rows, as a write keeps it.
public struct HabitCompletionRow: Codable, Equatable, Sendable {
    /// The primary's id (nil: a check-in the primary has not taken yet).
    public var id: Int64?
    public var completedAt: String
    public var note: String?

    public init(id: Int64?, completedAt: String, note: String?) {
        self.id = id
        self.completedAt = completedAt
        self.note = note
    }
}
