import Foundation
import GRDB

/// One table the verification compares with the primary, and how (docs/ARCHITECTURE.md,
/// "Verification"): which columns, which rows belong on each side, how a fix is written.
///
/// Another table of Tally's that copies rows from the primary (energy readings, brain dumps) is
/// verified by adding one value to `all`.
public struct VerifiedTable: Sendable {
    /// A synced column: its name in the cache and in the primary, and how its value is compared.
    public struct Column: Sendable {
        public var name: String
        public var primary: String
        public var kind: CanonicalKind

        public init(_ name: String, primary: String? = nil, _ kind: CanonicalKind) {
            self.name = name
            self.primary = primary ?? name
            self.kind = kind
        }
    }

    /// Rows from a moment on: `column >= bound(now)` on both sides (the window a sync copies).
    public struct Since: Sendable {
        public var column: String
        public var bound: @Sendable (Date) -> String

        public init(column: String, bound: @escaping @Sendable (Date) -> String) {
            self.column = column
            self.bound = bound
        }
    }

    /// The name in reports and in `cache_meta` (`tasks`, `day_targets`).
    public var name: String
    /// How a person counts its rows: "task" / "tasks", "goal row" / "goal rows".
    public var singular: String
    public var plural: String
    public var cacheTable: String
    public var primaryTable: String
    /// Every synced column, in the order rows cross between the two sides.
    public var columns: [Column]
    /// The columns that tell rows apart. When it is `["id"]` (an integer), the table is compared
    /// in ranges of ids, narrowing to the rows that differ; otherwise it is compared whole (a few
    /// weeks of rows).
    public var key: [String]
    /// The contract table's namespace: its scope (`ScopeWindow`) decides which primary rows belong.
    public var namespace: Namespace?
    public var since: Since?
    /// More conditions on the primary's rows, in SQL that PostgreSQL and SQLite both take.
    public var primaryCondition: String?
    /// More conditions on the cache's rows.
    public var cacheCondition: String?
    /// Columns the primary must have for this table to hold anything there (a WorkOS database
    /// without `adjusted_target_points` has no day targets, and a sync copies none).
    public var requiredPrimaryColumns: [String]
    /// Writes rows (in `columns` order) into the cache, inside the caller's transaction.
    public var upsert: @Sendable ([[DatabaseValue]], Database) throws -> Void
    /// Deletes rows (in `columns` order, as the cache holds them) from the cache.
    public var remove: @Sendable ([[DatabaseValue]], Database) throws -> Void

    public init(name: String, singular: String, plural: String, cacheTable: String, primaryTable: String,
                columns: [Column], key: [String], namespace: Namespace? = nil, since: Since? = nil,
                primaryCondition: String? = nil, cacheCondition: String? = nil, requiredPrimaryColumns: [String] = [],
                upsert: @escaping @Sendable ([[DatabaseValue]], Database) throws -> Void,
                remove: @escaping @Sendable ([[DatabaseValue]], Database) throws -> Void) {
        self.name = name
        self.singular = singular
        self.plural = plural
        self.cacheTable = cacheTable
        self.primaryTable = primaryTable
        self.columns = columns
        self.key = key
        self.namespace = namespace
        self.since = since
        self.primaryCondition = primaryCondition
        self.cacheCondition = cacheCondition
        self.requiredPrimaryColumns = requiredPrimaryColumns
        self.upsert = upsert
        self.remove = remove
    }

    /// Compared in ranges of ids.
    public var isRanged: Bool { key == ["id"] }

    /// "3 tasks", "1 goal row".
    public func count(_ rows: Int) -> String { "\(rows) \(rows == 1 ? singular : plural)" }

    var keyIndexes: [Int] { key.compactMap { name in columns.firstIndex { $0.name == name } } }

    // MARK: The tables

    /// Every table the verification compares, in the order a pass goes through them.
    public static let all: [VerifiedTable] = [
        contract(.clients, singular: "client", plural: "clients"),
        contract(.tasks, singular: "task", plural: "tasks"),
        contract(.goals, singular: "goal row", plural: "goal rows"),
        contract(.habits, singular: "habit", plural: "habits"),
        dayTargets,
        habitCheckIns,
    ]

    public static func named(_ name: String) -> VerifiedTable? { all.first { $0.name == name } }

    /// A contract table: every column, the namespace's scope, written as a sync writes it.
    static func contract(_ namespace: Namespace, singular: String, plural: String) -> VerifiedTable {
        VerifiedTable(
            name: namespace.rawValue, singular: singular, plural: plural, cacheTable: namespace.cacheTable,
            primaryTable: namespace.primaryTable,
            columns: namespace.columns.map { Column($0, Self.kind(of: $0)) }, key: ["id"], namespace: namespace,
            upsert: { rows, db in try CacheRows.upsert(namespace, rows: rows, db) },
            remove: { rows, db in try CacheRows.remove(namespace, ids: rows.compactMap { Int64.fromDatabaseValue($0[0]) }, db) })
    }

    /// How a contract column compares, by its name.
    static func kind(of column: String) -> CanonicalKind {
        if column == "subtasks" { return .json }
        if column.hasSuffix("_at") { return .timestamp }
        if column == "date" || column.hasSuffix("_date") { return .date }
        let text: Set = ["name", "type", "color", "title", "description", "status", "category", "value_tier",
                         "drain_type", "emoji", "frequency", "note"]
        return text.contains(column) ? .text : .integer
    }

    /// The adjusted day targets a sync copies with the goals (`tally_day_targets`).
    static let dayTargets = VerifiedTable(
        name: "day_targets", singular: "day target", plural: "day targets", cacheTable: "tally_day_targets",
        primaryTable: "daily_goals",
        columns: [Column("date", .date), Column("adjusted_target_points", .integer)], key: ["date"],
        since: Since(column: "date", bound: { now in dayTargetsSince(now) }),
        primaryCondition: "adjusted_target_points IS NOT NULL", requiredPrimaryColumns: ["adjusted_target_points"],
        upsert: { rows, db in
            let now = Timestamp.format(Date())
            for row in rows {
                try db.execute(sql: """
                    INSERT INTO tally_day_targets (date, adjusted_target_points, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (date) DO UPDATE SET adjusted_target_points = excluded.adjusted_target_points,
                      updated_at = excluded.updated_at
                    """, arguments: [row[0], row[1], now])
            }
        },
        remove: { rows, db in
            for row in rows { try db.execute(sql: "DELETE FROM tally_day_targets WHERE date = ?", arguments: [row[0]]) }
        })

    /// The primary's habit completions a sync copies with the habits (`tally_habit_checkins`),
    /// without the check-ins that wait for the primary.
    static let habitCheckIns = VerifiedTable(
        name: "habit_checkins", singular: "habit check-in", plural: "habit check-ins",
        cacheTable: "tally_habit_checkins", primaryTable: "habit_completions",
        columns: [Column("habit_id", .integer), Column("completed_at", .timestamp), Column("note", .text)],
        key: ["habit_id", "completed_at"],
        since: Since(column: "completed_at", bound: { now in habitCheckInsSince(now) }),
        cacheCondition: "pending = 0", requiredPrimaryColumns: ["habit_id", "completed_at"],
        upsert: { rows, db in
            for row in rows {
                let completion = HabitCompletion(habitID: Int64.fromDatabaseValue(row[0]) ?? 0,
                                                 completedAt: String.fromDatabaseValue(row[1]) ?? "",
                                                 note: String.fromDatabaseValue(row[2]))
                try CacheRows.addHabitCheckIn(completion, pending: false, db)
            }
        },
        remove: { rows, db in
            for row in rows {
                try CacheRows.removeHabitCheckIn(habitID: Int64.fromDatabaseValue(row[0]) ?? 0,
                                                 completedAt: String.fromDatabaseValue(row[1]) ?? "", db)
            }
        })

    /// The first day whose adjusted target a sync copies: 60 days back.
    public static func dayTargetsSince(_ now: Date) -> String { LocalDay(now).adding(days: -60).description }

    /// The oldest habit completion a sync copies: a few days more than the habits pane shows.
    public static func habitCheckInsSince(_ now: Date) -> String {
        Timestamp.format(now.addingTimeInterval(-Double(HabitStatus.historyDays + 2) * 86400))
    }
}

/// A table as one verification compares it: its rows as of one moment, and how the cache stores a
/// NULL in a NOT NULL column (its default, or the time of the write).
public struct ComparedTable: Sendable {
    public let table: VerifiedTable
    public let scope: ScopeWindow
    /// The lower bound of `table.since` now.
    public let since: String?
    /// Per column: the canonical text of the default the cache stores for a NULL.
    public let nullDefaults: [String?]
    /// Columns the cache fills with the time of the write when given a NULL: any value there
    /// matches the primary's NULL.
    public let anyWhenNull: Set<Int>

    public init(table: VerifiedTable, scope: ScopeWindow, since: String?, nullDefaults: [String?], anyWhenNull: Set<Int>) {
        self.table = table
        self.scope = scope
        self.since = since
        self.nullDefaults = nullDefaults
        self.anyWhenNull = anyWhenNull
    }

    var kinds: [CanonicalKind] { table.columns.map(\.kind) }

    func hasher() -> RowHasher { RowHasher(kinds: kinds, nullDefaults: nullDefaults) }
}

/// A range of ids, `lower ..< upper` (no upper bound when nil).
public struct IDRange: Hashable, Sendable, Codable {
    public var lower: Int64
    public var upper: Int64?

    public init(_ lower: Int64 = 1, _ upper: Int64? = nil) {
        self.lower = lower
        self.upper = upper
    }

    /// Every id a cache row of the primary's can have (rows under ids at or below 0 are the
    /// cache's own, written while the primary was away).
    public static let all = IDRange()

    public func contains(_ id: Int64) -> Bool { id >= lower && (upper.map { id < $0 } ?? true) }
}
