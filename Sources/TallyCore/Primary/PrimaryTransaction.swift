import Foundation
import GRDB

/// One transaction on the primary, row by row, in the cache's representation of values.
///
/// Every write (`Write`) is written once against this interface, and each primary implements
/// it once: PostgreSQL (`PostgresTransaction`, every value converted for the column's real type
/// so a WorkOS database is used as it is) and a SQLite file (`SQLiteTransaction`). Values read
/// come back as the cache holds them: times as `2026-01-21T19:24:00.000Z` (a `timestamp`
/// column's UTC wall clock as it is, a `timestamptz` converted to UTC), dates as `YYYY-MM-DD`,
/// JSON as text, whole numbers as integers. Nothing here creates, alters or drops anything.
public protocol PrimaryTransaction {
    /// The primary as a person may see it named (the password masked).
    var shown: String { get }

    /// Whether the primary has `table` (and, given, its `column`). A database from an older
    /// WorkOS may lack a table or a column; a write then skips or refuses what needs it.
    func has(_ table: String, _ column: String?) -> Bool

    /// The rows of `table` that match `conditions`, with `columns` (those the table lacks read
    /// as NULL), in `order`, at most `limit`; `lock` holds them until the transaction ends.
    func rows(_ table: String, _ columns: [String], where conditions: [PrimaryCondition],
              order: [PrimaryOrder], limit: Int?, lock: Bool) async throws -> [PrimaryRow]

    /// Inserts a row (columns the table lacks are left out, NULLs too so the table's defaults
    /// apply); returns its `id` when the table has one.
    @discardableResult
    func insert(_ table: String, _ values: [String: DatabaseValue]) async throws -> Int64?

    /// Sets columns of the rows that match; returns how many matched. Columns the table lacks
    /// are left out.
    @discardableResult
    func update(_ table: String, set values: [String: PrimaryAssignment],
                where conditions: [PrimaryCondition]) async throws -> Int

    /// Inserts `values`, or when a row with the same `conflict` columns exists, applies `update`
    /// to it instead (`INSERT … ON CONFLICT … DO UPDATE`, on both primaries).
    func upsert(_ table: String, _ values: [String: DatabaseValue], conflict: [String],
                update: [String: PrimaryAssignment]) async throws

    /// Deletes the rows that match; returns how many there were.
    @discardableResult
    func delete(_ table: String, where conditions: [PrimaryCondition]) async throws -> Int
}

/// A row read from the primary: column → value, in the cache's representation.
public struct PrimaryRow: Sendable, Equatable {
    public var values: [String: DatabaseValue]

    public init(_ values: [String: DatabaseValue]) {
        self.values = values
    }

    public subscript(_ column: String) -> DatabaseValue { values[column] ?? .null }

    /// As a GRDB row, for the records' `init(row:)`.
    public var row: Row { Row(values.mapValues { $0 as (any DatabaseValueConvertible)? }) }

    public func int64(_ column: String) -> Int64? { Row.int64(self[column]) }
    public func int(_ column: String) -> Int? { int64(column).map { Int(truncatingIfNeeded: $0) } }
    public func text(_ column: String) -> String? { Row.text(self[column]) }
}

/// A condition on one column (all of a query's conditions must hold).
public enum PrimaryCondition: Sendable, Equatable {
    case equals(String, DatabaseValue)
    case atLeast(String, DatabaseValue)
    case before(String, DatabaseValue)
    case isNull(String)
    case isNotNull(String)
    case among(String, [DatabaseValue])

    public var column: String {
        switch self {
        case .equals(let column, _), .atLeast(let column, _), .before(let column, _), .isNull(let column),
             .isNotNull(let column), .among(let column, _):
            return column
        }
    }
}

/// One column of an ORDER BY.
public struct PrimaryOrder: Sendable, Equatable {
    public var column: String
    public var descending: Bool

    public init(_ column: String, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }
}

/// What an UPDATE does to a column.
public enum PrimaryAssignment: Sendable, Equatable {
    /// Sets the value.
    case value(DatabaseValue)
    /// Adds `n` to the column, never going below 0 (NULL counts as 0): a goal row's counters
    /// take a completion as an increment, so one made elsewhere at the same moment is kept.
    case add(Int)

    public static func set(_ value: (any DatabaseValueConvertible)?) -> PrimaryAssignment {
        .value(value?.databaseValue ?? .null)
    }
}

/// A primary that writes: every change goes through one transaction at a time.
public protocol PrimaryWriter: Sendable {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// An unreachable primary throws what `FailureClassifier` types as transient.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any PrimaryTransaction) async throws -> T) async throws -> T
}

extension PrimaryTransaction {
    public func has(_ table: String) -> Bool { has(table, nil) }

    public func rows(_ table: String, _ columns: [String], where conditions: [PrimaryCondition] = [],
                     order: [PrimaryOrder] = [], limit: Int? = nil) async throws -> [PrimaryRow] {
        try await rows(table, columns, where: conditions, order: order, limit: limit, lock: false)
    }

    /// The first row that matches, if any.
    public func row(_ table: String, _ columns: [String], where conditions: [PrimaryCondition],
                    lock: Bool = false) async throws -> PrimaryRow? {
        try await rows(table, columns, where: conditions, order: [], limit: 1, lock: lock).first
    }

    // The four contract records, read with every contract column (and the extras a write needs).

    public func task(_ id: Int64, lock: Bool = false) async throws -> WorkTask? {
        try await row("tasks", WorkTask.columnNames, where: [.equals("id", id.databaseValue)], lock: lock).map { WorkTask(row: $0.row) }
    }

    public func goal(on date: String, lock: Bool = false) async throws -> DailyGoal? {
        try await row("daily_goals", DailyGoal.columnNames, where: [.equals("date", date.databaseValue)], lock: lock)
            .map { DailyGoal(row: $0.row) }
    }

    /// A habit with its `last_completed_date` (which the cache's habit table lacks).
    public func habit(_ id: Int64, lock: Bool = false) async throws -> Habit? {
        try await row("habits", Habit.columnNames + ["last_completed_date"], where: [.equals("id", id.databaseValue)], lock: lock)
            .map { Habit(row: $0.row) }
    }
}

/// The SQL both primaries share for a `PrimaryCondition` list, with placeholders made by
/// `placeholder(column, value)` (PostgreSQL converts a value for its column's type there).
enum PrimarySQL {
    static func whereClause(_ conditions: [PrimaryCondition],
                            placeholder: (String, DatabaseValue) -> String) -> String {
        guard !conditions.isEmpty else { return "" }
        let parts = conditions.map { condition -> String in
            switch condition {
            case .equals(let column, let value):
                return value.isNull ? "\(column) IS NULL" : "\(column) = \(placeholder(column, value))"
            case .atLeast(let column, let value): return "\(column) >= \(placeholder(column, value))"
            case .before(let column, let value): return "\(column) < \(placeholder(column, value))"
            case .isNull(let column): return "\(column) IS NULL"
            case .isNotNull(let column): return "\(column) IS NOT NULL"
            case .among(let column, let values):
                guard !values.isEmpty else { return "0 = 1" }
                return "\(column) IN (\(values.map { placeholder(column, $0) }.joined(separator: ", ")))"
            }
        }
        return " WHERE " + parts.joined(separator: " AND ")
    }

    static func orderClause(_ order: [PrimaryOrder]) -> String {
        guard !order.isEmpty else { return "" }
        return " ORDER BY " + order.map { $0.column + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
    }

    /// Refuses a table or column name that is not a plain identifier: names are written into
    /// the SQL (values never are), so only Tally's own constants may reach here.
    static func checkIdentifier(_ name: String) throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw TallyError.badArgument("not a column name: \(name.debugDescription)")
        }
    }
}
