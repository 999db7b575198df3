import MCP

/// JSON Schemas of the tools' answers (`outputSchema`), so a client can check and use
/// `structuredContent`. Every root is an object, as the protocol asks; a WorkOS answer that is a
/// list is structured as `{key: [...]}`. Values the cache may hold as NULL are typed `X | null`;
/// objects allow more members than listed (an answer may carry Tally's extras).
enum Out {
    static let integer: Value = ["type": "integer"]
    static let number: Value = ["type": "number"]
    static let string: Value = ["type": "string"]
    static let boolean: Value = ["type": "boolean"]
    static let optionalInteger: Value = ["type": ["integer", "null"]]
    static let optionalNumber: Value = ["type": ["number", "null"]]
    static let optionalString: Value = ["type": ["string", "null"]]
    static let optionalBoolean: Value = ["type": ["boolean", "null"]]

    /// An object with these members, all required unless listed in `optional`.
    static func object(_ members: [(String, Value)], optional: Set<String> = []) -> Value {
        .object([
            "type": "object",
            "properties": .object(Dictionary(members, uniquingKeysWith: { first, _ in first })),
            "required": .array(members.map(\.0).filter { !optional.contains($0) }.map(Value.string)),
        ])
    }

    /// An element of a list that can be long (tasks, habits, completions): its members are all
    /// required (unless `optional`), but only `typed` ones (none by default) have their type
    /// declared. A client checks every element against the schema, and the Python SDK's checker
    /// spends microseconds on each member: 50 tasks typed member by member took longer to check
    /// than Tally took to answer.
    static func element(_ members: [(String, Value)], typed: Set<String> = [], optional: Set<String> = []) -> Value {
        .object([
            "type": "object",
            "properties": .object(Dictionary(members.filter { typed.contains($0.0) }, uniquingKeysWith: { first, _ in first })),
            "required": .array(members.map(\.0).filter { !optional.contains($0) }.map(Value.string)),
        ])
    }

    /// `schema` or null.
    static func nullable(_ schema: Value) -> Value {
        ["anyOf": [schema, ["type": "null"]]]
    }

    static func array(_ items: Value) -> Value {
        ["type": "array", "items": items]
    }

    /// A list whose length grows with the data (every completion of a year of habits, every
    /// open task): its elements are described in words, not by a schema a client would check
    /// one by one (about 5 µs each in the Python SDK: 350 completions cost more than the answer).
    static func unboundedArray(of description: String) -> Value {
        ["type": "array", "description": .string(description)]
    }

    /// A WorkOS list answer: `{key: [item]}`.
    static func list(_ key: String, _ item: Value) -> Value {
        object([(key, array(item))])
    }

    /// Any JSON value.
    static let any: Value = [:]

    // MARK: Records

    /// A task as the WorkOS cache gives it (`workos_get_tasks`): its 19 columns, `subtasks` as
    /// JSON text, and `clientName`.
    static let cachedTask = element(taskMembers(subtasks: optionalString) + [("clientName", optionalString)], optional: ["clientName"])

    /// A task in a write's answer, as WorkOS's PostgreSQL row: `subtasks` the array, and
    /// `cognitiveLoad`.
    static let task = object(taskMembers(subtasks: ["type": ["array", "string", "null"]]) + [("cognitiveLoad", optionalString)])
    /// The same, as an element of a list.
    static let taskElement = element(taskMembers(subtasks: any) + [("cognitiveLoad", optionalString)])

    static func taskMembers(subtasks: Value) -> [(String, Value)] {
        [("id", integer), ("clientId", optionalInteger), ("title", string), ("description", optionalString),
         ("status", optionalString), ("category", optionalString), ("valueTier", optionalString),
         ("effortEstimate", optionalInteger), ("effortActual", optionalInteger), ("drainType", optionalString),
         ("sortOrder", optionalInteger), ("subtasks", subtasks), ("createdAt", optionalString), ("updatedAt", optionalString),
         ("completedAt", optionalString), ("backlogEnteredAt", optionalString), ("pointsAiGuess", optionalInteger),
         ("pointsFinal", optionalInteger), ("pointsAdjustedAt", optionalString)]
    }

    static let client = element([
        ("id", integer), ("name", string), ("type", optionalString), ("color", optionalString),
        ("isActive", optionalInteger), ("createdAt", optionalString),
    ])

    static let goal = object([
        ("id", integer), ("date", string), ("targetPoints", optionalInteger), ("earnedPoints", optionalInteger),
        ("taskCount", optionalInteger), ("currentStreak", optionalInteger), ("longestStreak", optionalInteger),
        ("lastGoalHitDate", optionalString), ("dailyDebt", optionalInteger), ("weeklyDebt", optionalInteger),
        ("pressureLevel", optionalInteger), ("adjustedTargetPoints", optionalInteger), ("readinessScore", optionalInteger),
        ("energyLevel", optionalString), ("adjustmentReason", optionalString), ("updatedAt", optionalString),
    ])

    /// A habit with its streaks, Tally's `completedToday` and WorkOS's PostgreSQL-only columns.
    static let habit = element([
        ("id", integer), ("name", string), ("description", optionalString), ("emoji", optionalString),
        ("frequency", optionalString), ("targetCount", optionalInteger), ("currentStreak", optionalInteger),
        ("longestStreak", optionalInteger), ("isActive", optionalInteger), ("sortOrder", optionalInteger),
        ("createdAt", optionalString), ("updatedAt", optionalString), ("lastCompletedDate", optionalString),
        ("timeOfDay", optionalString), ("category", optionalString), ("completedToday", boolean),
    ], optional: ["completedToday", "timeOfDay", "category"])

    static let energyContext = object([
        ("energyLevel", ["enum": ["high", "medium", "low"]]), ("readinessScore", optionalInteger), ("sleepScore", optionalInteger),
        ("source", ["enum": ["manual", "oura", "default", "manual_override"]]), ("timestamp", optionalString),
    ])

    /// What every write answers: `success`, the record, `pending` (and `message` when queued).
    static func write(_ key: String, _ record: Value) -> Value {
        object([("success", boolean), (key, nullable(record)), ("pending", boolean), ("message", string)],
               optional: ["message"])
    }
}
