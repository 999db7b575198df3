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

/// A completion to apply on the primary, in one transaction with the day's goal row.
///
/// `completedAt` doubles as the completion's identity on the primary: a replay finds the task
/// done at exactly that millisecond and changes nothing, so points are never counted twice and
/// the primary needs no table of Tally's.
public struct CompletionRequest: Equatable, Sendable {
    public var taskID: Int64
    public var points: Int
    public var completedAt: String
    /// The local day whose goal row gains the points.
    public var day: LocalDay
    /// The outbox's name for this completion (undo finds it by this key).
    public var key: String
    /// True when a person chose the points (`p`, `--points`): `points_adjusted_at` is stamped.
    public var explicitPoints: Bool
    public var defaultTarget: Int

    public init(taskID: Int64, points: Int, completedAt: String, day: LocalDay, key: String,
                explicitPoints: Bool = false, defaultTarget: Int = Ledger.defaultTarget) {
        self.taskID = taskID
        self.points = points
        self.completedAt = completedAt
        self.day = day
        self.key = key
        self.explicitPoints = explicitPoints
        self.defaultTarget = defaultTarget
    }
}

/// Reverses a completion: puts the task back as it was and takes the points off the day.
public struct UndoRequest: Equatable, Sendable, Codable {
    public var taskID: Int64
    /// The undone completion's `completed_at` (its identity on the primary).
    public var completedAt: String
    public var previous: PriorTask
    public var points: Int
    /// `YYYY-MM-DD`: the day whose goal row gained the points.
    public var day: String
    /// The goal row's streak before the completion, when the completion moved it.
    public var streakBefore: StreakFields?
    /// When the undo happens.
    public var at: String
    /// The target of a day whose goal row has none.
    public var defaultTarget: Int

    public init(taskID: Int64, completedAt: String, previous: PriorTask, points: Int, day: String,
                streakBefore: StreakFields?, at: String, defaultTarget: Int = Ledger.defaultTarget) {
        self.defaultTarget = defaultTarget
        self.taskID = taskID
        self.completedAt = completedAt
        self.previous = previous
        self.points = points
        self.day = day
        self.streakBefore = streakBefore
        self.at = at
    }
}

/// A task's completion fields before it was completed.
public struct PriorTask: Equatable, Sendable, Codable {
    public var status: String?
    public var completedAt: String?
    public var pointsFinal: Int?
    public var pointsAdjustedAt: String?

    public init(_ task: WorkTask) {
        status = task.status
        completedAt = task.completedAt
        pointsFinal = task.pointsFinal
        pointsAdjustedAt = task.pointsAdjustedAt
    }
}

/// The authoritative store behind the cache: PostgreSQL, a local SQLite file, or none. What a
/// primary is, split by who needs what: a reader (the sync engine, the history, a row the cache
/// lacks), a writer (`PrimaryWriter`: every change, through `WritePipeline`), an administrator
/// (`tally primary init`). Optional capabilities are asked for, never found by the type:
/// `push` (LISTEN/NOTIFY) and `idleConnections` (closing them so a serverless primary sleeps).
public typealias PrimaryStore = PrimaryReader & PrimaryWriter & PrimaryAdministrator

/// What reading a primary needs.
///
/// Rows cross this boundary as arrays of `DatabaseValue` in the namespace's contract column
/// order, so the sync engine writes them to the cache without per-column mapping. A store uses
/// the database as it finds it: reads and writes create, alter or drop nothing.
public protocol PrimaryReader: Sendable {
    /// Safe to show: the URL with its password masked.
    var displayName: String { get }

    /// Rows in `scope` after `position` (all rows when nil) in `order`, at most `limit`. In
    /// change order, `position` is an `(updated_at, id)` watermark; clients have no
    /// `updated_at` and are read by id in either order. In id order only `position.id` counts.
    func fetch(_ namespace: Namespace, after position: Watermark?, limit: Int, order: ReadOrder,
               scope: ScopeWindow) async throws -> [[DatabaseValue]]

    /// How many rows `fetch` would return in total from `position` (for progress).
    func count(_ namespace: Namespace, after position: Watermark?, order: ReadOrder, scope: ScopeWindow) async throws -> Int

    /// Several `fetch`es at once, each namespace's rows by itself: a store that can sends every
    /// query before the first answer is in (an incremental job's first chunks).
    func fetch(_ reads: [ChunkRead], scope: ScopeWindow) async throws -> [Namespace: [[DatabaseValue]]]

    /// Gets ready to read (PostgreSQL: opens the read connection and reads the column types),
    /// so that a sync does it while claiming its job; false when that failed. The reads that
    /// follow meet the failure again and report it.
    func prepare() async -> Bool

    /// What this process learnt of the primary's layout (PostgreSQL: its column types), as
    /// text for the cache to keep, so the next process on the cache need not learn it again;
    /// nil when there is nothing new (`KeptSchema`).
    func schemaToKeep() async -> String?

    /// A copy `schemaToKeep` gave, from the cache: used when it is this primary's and recent.
    func adoptKeptSchema(_ text: String) async

    /// The cache is being opened and may hand over a kept copy (`adoptKeptSchema`): a read of the
    /// layout that would begin meanwhile waits for `keptSchemaSettled` instead of asking.
    func expectKeptSchema() async

    /// The cache handed over its kept copy, or had none.
    func keptSchemaSettled() async

    /// This store as the digests a verification compares; nil when it keeps none. Asked, not
    /// cast: `as? any PrimaryDigests` costs the runtime a scan of every protocol conformance in
    /// the binary on its first use in a process (docs/ARCHITECTURE.md, "Start-up").
    var digests: (any PrimaryDigests)? { get }

    /// This store as the source of WorkOS's other tables; nil when it has none (see `digests`).
    var lifeSource: (any LifeSource)? { get }

    /// Whether a read failed because the kept copy in use was older than a change to the
    /// primary's schema (it is forgotten, and learnt anew by the next read): worth one more
    /// try at once, with nothing to report.
    func takeStaleKeptSchema() async -> Bool

    /// The change-order position of the newest row now (nil when the table is empty or has no
    /// `updated_at`): where the incremental syncs after a full one start.
    func latestChange(_ namespace: Namespace) async throws -> Watermark?

    /// The count and sum of the ids in `scope`: deletions are found by comparing it with the
    /// cache's, without triggers or a log on the primary.
    func idDigest(_ namespace: Namespace, scope: ScopeWindow) async throws -> IDDigest

    /// `idDigest` of several namespaces at once: a store that can sends every query before the
    /// first answer is in.
    func idDigests(_ namespaces: [Namespace], scope: ScopeWindow) async throws -> [Namespace: IDDigest]

    /// Every id in `scope` (a sync removes the cache rows not among them).
    func allIDs(_ namespace: Namespace, scope: ScopeWindow) async throws -> [Int64]

    /// Which of `ids` are in `scope` now (asked again before rows found missing are removed).
    func presentIDs(_ namespace: Namespace, among ids: [Int64], scope: ScopeWindow) async throws -> Set<Int64>

    /// The days from `since` (`YYYY-MM-DD`) whose goal row has an `adjusted_target_points`
    /// (WorkOS's target after an energy adjustment); empty when the table has no such column.
    func adjustedTargets(since: String) async throws -> [String: Int]

    /// The work tasks completed at or after `from` and before `before` (UTC, ISO 8601), as the
    /// history needs them: the days older than the cache's scope.
    func doneWork(from: String, before: String) async throws -> [DoneWork]

    /// The goal rows dated `since` (`YYYY-MM-DD`) or later, oldest first.
    func goals(since: String) async throws -> [DailyGoal]

    /// One task as the primary holds it now (nil when gone).
    func task(id: Int64) async throws -> WorkTask?

    /// One day's goal row as the primary holds it now.
    func goal(date: String) async throws -> DailyGoal?

    /// One habit as the primary holds it now, with its `last_completed_date` (nil when gone).
    func habit(id: Int64) async throws -> Habit?

    /// The completions (`habit_completions`) made at or after `since` (UTC), oldest first; empty
    /// when the primary has no such table.
    func habitCompletions(since: String) async throws -> [HabitCompletion]

    /// Pushes changes made elsewhere (PostgreSQL with `tally primary init --push`'s triggers);
    /// nil where the primary cannot.
    var push: (any PrimaryPush)? { get }

    /// Closes connections that sit unused, so a serverless primary can stop its compute; nil
    /// where there are none to close (a local file).
    var idleConnections: (any IdleConnections)? { get }

    /// Releases connections.
    func close() async
}

/// What `tally primary init` needs.
public protocol PrimaryAdministrator: Sendable {
    /// Creates the tables of a new database as WorkOS has them, when missing; with `push`, also
    /// the triggers that NOTIFY running dashboards. Returns what it created, for the user.
    @discardableResult
    func initSchema(push: Bool) async throws -> [String]
}

/// A primary that tells of changes made elsewhere.
public protocol PrimaryPush: Sendable {
    /// Whether the NOTIFY triggers are installed.
    func pushInstalled() async throws -> Bool

    /// Listens for changes and calls `onChange` for each, reconnecting with backoff until the
    /// calling task is cancelled.
    func listen(onChange: @escaping @Sendable (String) -> Void, onError: @escaping @Sendable (String) -> Void) async
}

/// A primary whose connections can be let go while nobody needs them.
public protocol IdleConnections: Sendable {
    /// Closes the connections no call is using now; the next call opens a new one.
    func closeIdleConnections() async
}

extension PrimaryReader {
    public var push: (any PrimaryPush)? { nil }
    public var idleConnections: (any IdleConnections)? { nil }
}

/// One read of `PrimaryReader.fetch(_:scope:)`: a namespace's rows after `position` in `order`.
public struct ChunkRead: Sendable {
    public var namespace: Namespace
    public var position: Watermark?
    public var limit: Int
    public var order: ReadOrder

    public init(_ namespace: Namespace, after position: Watermark?, limit: Int, order: ReadOrder) {
        self.namespace = namespace
        self.position = position
        self.limit = limit
        self.order = order
    }
}

extension PrimaryReader {
    /// Nothing to open ahead (a local file).
    public func prepare() async -> Bool { true }

    /// One digest after another.
    public func idDigests(_ namespaces: [Namespace], scope: ScopeWindow) async throws -> [Namespace: IDDigest] {
        var digests: [Namespace: IDDigest] = [:]
        for namespace in namespaces { digests[namespace] = try await idDigest(namespace, scope: scope) }
        return digests
    }

    /// One read after another.
    public func fetch(_ reads: [ChunkRead], scope: ScopeWindow) async throws -> [Namespace: [[DatabaseValue]]] {
        var rows: [Namespace: [[DatabaseValue]]] = [:]
        for read in reads {
            rows[read.namespace] = try await fetch(read.namespace, after: read.position, limit: read.limit,
                                                   order: read.order, scope: scope)
        }
        return rows
    }

    /// Nothing to keep: a local file's layout is read with it.
    public func schemaToKeep() async -> String? { nil }
    public func adoptKeptSchema(_ text: String) async {}
    public func expectKeptSchema() async {}
    public func keptSchemaSettled() async {}
    public func takeStaleKeptSchema() async -> Bool { false }

    /// Rows changed after `watermark`, in change order.
    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int) async throws -> [[DatabaseValue]] {
        try await fetch(namespace, after: watermark, limit: limit, order: .changes, scope: .everything)
    }

    /// How many rows changed after `watermark`.
    public func count(_ namespace: Namespace, after watermark: Watermark?) async throws -> Int {
        try await count(namespace, after: watermark, order: .changes, scope: .everything)
    }

    /// Every row after `position` in `order`, handed to `body` in chunks of at most `chunkSize`
    /// rows (the first of at most `firstChunkSize`): one `fetch` per chunk, each continuing from
    /// the last row of the chunk before. Errors thrown by `body` pass through unchanged.
    ///
    /// The next chunk is fetched while `body` writes this one, so the primary's round trip and
    /// the cache's write overlap instead of taking turns.
    ///
    /// A chunk's rows are read whole at once. One long PostgreSQL query whose rows wait while
    /// the cache writes was tried: it was no faster, and PostgresNIO 1.33 traps
    /// (`RowStreamStateMachine`, "after a channelReadComplete") when the server goes away while
    /// such a row stream waits for demand.
    ///
    /// - Parameters:
    ///   - reading: reads a chunk instead of `fetch` (the same rows, which may carry more
    ///     columns after the namespace's).
    ///   - first: the first chunk, already asked for (of at most `firstChunkSize` rows).
    public func stream(_ namespace: Namespace, after position: Watermark?, chunkSize: Int, firstChunkSize: Int? = nil,
                       order: ReadOrder, scope: ScopeWindow = .everything,
                       reading: (@Sendable (Watermark?, Int) async throws -> [[DatabaseValue]])? = nil,
                       first: Task<[[DatabaseValue]], any Error>? = nil,
                       _ body: ([[DatabaseValue]]) async throws -> Void) async throws {
        func fetching(after position: Watermark?, limit: Int) -> Task<[[DatabaseValue]], any Error> {
            if let reading { return Task { try await reading(position, limit) } }
            return Task { try await fetch(namespace, after: position, limit: limit, order: order, scope: scope) }
        }
        var limit = max(1, min(chunkSize, firstChunkSize ?? chunkSize))
        var next = first ?? fetching(after: position, limit: limit)
        defer { next.cancel() }
        while true {
            let rows = try await next.value
            if rows.isEmpty { return }
            let more = rows.count >= limit
            limit = chunkSize
            if more { next = fetching(after: Watermark.after(rows[rows.count - 1], in: namespace, order: order), limit: limit) }
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

extension PrimaryReader {
    public var digests: (any PrimaryDigests)? { nil }
    public var lifeSource: (any LifeSource)? { nil }
}

extension PrimaryReader where Self: PrimaryDigests {
    public var digests: (any PrimaryDigests)? { self }
}

extension PrimaryReader where Self: LifeSource {
    public var lifeSource: (any LifeSource)? { self }
}
