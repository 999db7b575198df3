import Foundation
import GRDB

/// A position in a primary table's change order: rows are read by `(updated_at, id)`.
public struct Watermark: Codable, Equatable, Sendable {
    public var at: String
    public var id: Int64

    public init(at: String, id: Int64) {
        self.at = at
        self.id = id
    }
}

/// The order a sync reads a primary table in.
public enum ReadOrder: Sendable {
    /// By `(updated_at, id)`: what changed since a watermark (incremental syncs).
    case changes
    /// By id: the whole table (full syncs). The cache's B-trees then grow at their ends; in
    /// change order the same 100,000 rows land all over them and each 500-row chunk rewrites
    /// most of their pages (7.5 s against 2.1 s for the SQLite side alone).
    case ids
}

/// A row deleted on the primary, from its `tally_deleted` log (kept by triggers).
public struct Deletion: Equatable, Sendable {
    public var namespace: Namespace
    public var id: Int64
    public var at: String
}

/// A completion to apply on the primary, in one transaction with its daily goal.
public struct CompletionRequest: Equatable, Sendable {
    public var taskID: Int64
    public var points: Int
    public var completedAt: String
    /// The local day whose goal gains the points.
    public var day: LocalDay
    /// Makes a replay idempotent: the primary records it in the same transaction.
    public var key: String
    public var defaultTarget: Int

    public init(taskID: Int64, points: Int, completedAt: String, day: LocalDay, key: String,
                defaultTarget: Int = Ledger.defaultTarget) {
        self.taskID = taskID
        self.points = points
        self.completedAt = completedAt
        self.day = day
        self.key = key
        self.defaultTarget = defaultTarget
    }
}

/// What the primary holds after a completion or undo: the task and the day's goal row.
public struct CompletionResult: Equatable, Sendable {
    public var task: WorkTask
    public var goal: DailyGoal
    /// True when the primary had already applied this key (a replay).
    public var wasReplay: Bool
}

/// The authoritative store behind the cache: PostgreSQL, a local SQLite file, or none.
///
/// Rows cross this boundary as arrays of `DatabaseValue` in the namespace's contract column
/// order, so the sync engine writes them to the cache without per-column mapping.
public protocol PrimaryStore: Sendable {
    /// Safe to show: the URL with its password masked.
    var displayName: String { get }

    /// Rows after `position` (all rows when nil) in `order`, at most `limit`. In change order,
    /// `position` is an `(updated_at, id)` watermark; clients have no `updated_at` and are read
    /// by id in either order. In id order only `position.id` counts.
    func fetch(_ namespace: Namespace, after position: Watermark?, limit: Int, order: ReadOrder) async throws -> [[DatabaseValue]]

    /// How many rows `fetch` would return in total from `position` (for progress).
    func count(_ namespace: Namespace, after position: Watermark?, order: ReadOrder) async throws -> Int

    /// The change-order position of the newest row now (nil when the table is empty or has no
    /// `updated_at`): where the incremental syncs after a full one start.
    func latestChange(_ namespace: Namespace) async throws -> Watermark?

    /// Every id in the table (a full sync removes the cache rows not among them).
    func allIDs(_ namespace: Namespace) async throws -> [Int64]

    /// Rows deleted after `since` (an ISO timestamp), oldest first.
    func deletions(since: String?) async throws -> [Deletion]

    /// One task as the primary holds it now (nil when gone).
    func task(id: Int64) async throws -> WorkTask?

    /// One day's goal row as the primary holds it now.
    func goal(date: String) async throws -> DailyGoal?

    /// Marks the task done and adds its points to the day's goal, in one transaction.
    /// Throws `TallyError.conflict` when the task is already done or gone.
    func complete(_ request: CompletionRequest) async throws -> CompletionResult

    /// Reverses a completion made with `key`, in one transaction.
    func undo(key: String, taskID: Int64, day: LocalDay, defaultTarget: Int) async throws -> CompletionResult

    /// Creates the primary's tables, triggers and logs when missing.
    func initSchema() async throws

    /// Releases connections.
    func close() async
}

extension PrimaryStore {
    /// Rows changed after `watermark`, in change order.
    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int) async throws -> [[DatabaseValue]] {
        try await fetch(namespace, after: watermark, limit: limit, order: .changes)
    }

    /// How many rows changed after `watermark`.
    public func count(_ namespace: Namespace, after watermark: Watermark?) async throws -> Int {
        try await count(namespace, after: watermark, order: .changes)
    }

    /// Every row after `position` in `order`, handed to `body` in chunks of at most `chunkSize`
    /// rows: one `fetch` per chunk, each continuing from the last row of the chunk before.
    /// Errors thrown by `body` pass through unchanged.
    ///
    /// The next chunk is fetched while `body` writes this one, so the primary's round trip and
    /// the cache's write overlap instead of taking turns.
    ///
    /// A chunk's rows are read whole at once. One long PostgreSQL query whose rows wait while
    /// the cache writes was tried: it was no faster, and PostgresNIO 1.33 traps
    /// (`RowStreamStateMachine`, "after a channelReadComplete") when the server goes away while
    /// such a row stream waits for demand.
    public func stream(_ namespace: Namespace, after position: Watermark?, chunkSize: Int, order: ReadOrder,
                       _ body: ([[DatabaseValue]]) async throws -> Void) async throws {
        func fetching(after position: Watermark?) -> Task<[[DatabaseValue]], any Error> {
            Task { try await fetch(namespace, after: position, limit: chunkSize, order: order) }
        }
        var next = fetching(after: position)
        defer { next.cancel() }
        while true {
            let rows = try await next.value
            if rows.isEmpty { return }
            let more = rows.count >= chunkSize
            if more { next = fetching(after: Watermark.after(rows[rows.count - 1], in: namespace, order: order)) }
            try await body(rows)
            if !more { return }
        }
    }
}

extension Watermark {
    /// The position just past `row` (a row in `namespace`'s contract column order) in `order`.
    public static func after(_ row: [DatabaseValue], in namespace: Namespace, order: ReadOrder = .changes) -> Watermark {
        let columns = namespace.columns
        let id = columns.firstIndex(of: "id").flatMap { Int64.fromDatabaseValue(row[$0]) } ?? Int64.max
        if order == .changes, namespace.hasUpdatedAt, let at = columns.firstIndex(of: "updated_at") {
            return Watermark(at: String.fromDatabaseValue(row[at]) ?? "", id: id)
        }
        return Watermark(at: "", id: id)
    }
}
