import Foundation
import GRDB
import Synchronization

/// A client with the number of open (active or queued) tasks it has.
public struct ClientSummary: Equatable, Sendable {
    public var client: Client
    public var openTasks: Int

    public init(client: Client, openTasks: Int) {
        self.client = client
        self.openTasks = openTasks
    }
}

/// A task as the task pane shows it, with its client's name and colour joined in.
public struct TaskRow: Equatable, Sendable {
    public var task: WorkTask
    public var clientName: String?
    public var clientColor: String?
    /// True while a completion of this task waits for the primary (in flight or in the outbox).
    public var isPending: Bool

    public init(task: WorkTask, clientName: String? = nil, clientColor: String? = nil, isPending: Bool = false) {
        self.task = task
        self.clientName = clientName
        self.clientColor = clientColor
        self.isPending = isPending
    }
}

/// One page of the task list and where it sits in the whole filtered list.
public struct TaskPage: Equatable, Sendable {
    /// Where the query's anchor (the selected task) is now.
    public enum Anchor: Equatable, Sendable {
        /// At this index of the whole list; the page holds it.
        case at(Int)
        /// No longer in the list: the task as the cache now holds it (another status, client or
        /// title), or nil when the cache no longer has it.
        case left(WorkTask?)
    }

    public var rows: [TaskRow]
    public var total: Int
    public var offset: Int
    /// Nil when the query had no anchor.
    public var anchor: Anchor?
    /// The query's marked tasks that the list still holds.
    public var marked: Set<Int64>

    public init(rows: [TaskRow] = [], total: Int = 0, offset: Int = 0, anchor: Anchor? = nil, marked: Set<Int64> = []) {
        self.rows = rows
        self.total = total
        self.offset = offset
        self.anchor = anchor
        self.marked = marked
    }

    /// The absolute index of task `id` when this page holds it.
    public func index(of id: Int64) -> Int? {
        rows.firstIndex { $0.task.id == id }.map { offset + $0 }
    }
}

/// A day's earned points against its target, for the history sparkline.
public struct DayPoints: Equatable, Sendable {
    public var day: LocalDay
    public var earned: Int
    public var target: Int

    public init(day: LocalDay, earned: Int, target: Int) {
        self.day = day
        self.earned = earned
        self.target = target
    }
}

/// Everything the dashboard shows, read in one transaction so the panes always agree.
public struct Snapshot: Equatable, Sendable {
    public var now: Date
    public var goal: GoalFigures
    /// The last 30 days, oldest first (days without a row earned 0).
    public var history: [DayPoints]
    public var clients: [ClientSummary]
    public var tasks: TaskPage
    public var query: TaskQuery
    public var habits: [Habit]
    /// The local days each habit was checked in on, over the last 30 days.
    public var habitDays: [Int64: Set<LocalDay>] = [:]
    /// The habits checked in today.
    public var habitsDone: Set<Int64> = []
    /// Habits whose check-in waits for the primary (or is in flight in this process).
    public var pendingHabits: Set<Int64> = []
    public var lastSyncAt: Date?
    public var lastSync: [Namespace: Date]
    public var rowCounts: [Namespace: Int]
    public var runningJob: SyncJob?
    public var recentJobs: [SyncJob]
    /// Newest unresolved failures first.
    public var failures: [SyncFailure]
    public var unresolvedFailures: Int
    public var hitRates: HitRateSummary
    public var outboxDepth: Int
    public var cachePath: String
    public var isReadOnly: Bool
    /// Today's readiness and energy, when WorkOS recorded any (`DayEnergy`).
    public var energy: DayEnergy?
    /// The last finished verification (`tally sync --verify`, or a scheduled pass).
    public var verification: VerifyReport? = nil
    /// Set while the cache holds another primary's rows, until the refill from this one is done.
    public var primarySwitch: PrimarySwitch? = nil
    /// The primary whose rows the cache holds, as recorded by the sync that filled it.
    public var filledFrom: PrimaryIdentity? { PrimaryIdentity.decode(filledFromRecord) }
    /// Its record in `cache_meta`, decoded only when asked for (`tally status`, `tally doctor`):
    /// a frame does not show it, and a first JSON decoding costs the runtime two scans of its
    /// conformances.
    var filledFromRecord: String? = nil
    /// The open tasks per status and client the clients pane and the list's size came from:
    /// what `KeptCounts` keeps.
    var openCounts = OpenCounts()

    /// An empty snapshot (no cache yet).
    public static func empty(now: Date, today: LocalDay, cachePath: String = "") -> Snapshot {
        Snapshot(
            now: now, goal: Ledger.figures(goals: [], today: today), history: [], clients: [],
            tasks: TaskPage(), query: TaskQuery(), habits: [], lastSyncAt: nil, lastSync: [:],
            rowCounts: [:], runningJob: nil, recentJobs: [], failures: [], unresolvedFailures: 0,
            hitRates: HitRateSummary(), outboxDepth: 0, cachePath: cachePath, isReadOnly: false)
    }

    /// The parts of the snapshot each namespace fed; used to tell which namespaces a rebuild
    /// really looked at anew (and so counts as a lookup).
    public func differs(from other: Snapshot, in namespace: Namespace) -> Bool {
        switch namespace {
        case .clients: return clients != other.clients
        case .tasks:
            return tasks.rows != other.tasks.rows || tasks.total != other.tasks.total
                || rowCounts[.tasks] != other.rowCounts[.tasks]
        case .goals: return goal != other.goal || history != other.history
        case .habits: return habits != other.habits || habitDays != other.habitDays
        }
    }
}

extension CacheStore {
    /// Builds the dashboard's snapshot in one read transaction.
    ///
    /// - Parameters:
    ///   - query: the task pane's filter and window.
    ///   - pendingTaskIDs: completions in flight in this process (the outbox adds its own).
    ///   - pendingHabitIDs: check-ins in flight in this process (the cache adds its queued ones).
    public func snapshot(query: TaskQuery, now: Date = Date(), timeZone: TimeZone = .current,
                         defaultTarget: Int = Ledger.defaultTarget, workday: ClosedRange<Double> = 9...18,
                         pendingTaskIDs: Set<Int64> = [], pendingHabitIDs: Set<Int64> = []) throws -> Snapshot {
        let path = self.path
        let readOnly = self.isReadOnly
        return try versionedRead { db, before, _, versionNow in
            let reader = SnapshotReader(db: db, now: now, timeZone: timeZone, defaultTarget: defaultTarget, workday: workday)
            let kept = before.flatMap { KeptCounts.read(cachePath: path, matching: $0) }
            var snapshot = try reader.snapshot(query: query, pending: pendingTaskIDs, cachePath: path, isReadOnly: readOnly,
                                               counts: kept.map(SnapshotReader.Counts.init))
            if kept != nil, versionNow() != before {
                // A commit came between the version's reading and the transaction's first read:
                // the kept counts may be older than the rows, so this transaction counts.
                snapshot = try reader.snapshot(query: query, pending: pendingTaskIDs, cachePath: path, isReadOnly: readOnly)
            }
            snapshot.pendingHabits.formUnion(pendingHabitIDs)
            return snapshot
        }
    }

    /// Counts the cache's growing figures (see `KeptCounts`) and keeps them beside it, unless
    /// the counts kept there are of the cache as it is. Nothing is kept while the file was
    /// written too recently to tell a later write from it (`CacheVersion.isSettled`), or for a
    /// read-only cache.
    ///
    /// - Returns: whether the kept counts are now those of the cache as it is.
    @discardableResult
    public func keepCounts() throws -> Bool {
        guard !isReadOnly else { return false }
        let path = self.path
        let counted: KeptCounts? = try versionedRead { db, before, readAt, versionNow in
            guard let before, before.isSettled(readAt: readAt),
                  KeptCounts.read(cachePath: path, matching: before) == nil else { return nil }
            let counts = try KeptCounts.count(version: before, db)
            return versionNow() == before ? counts : nil
        }
        counted?.write(cachePath: path)
        return try keptCounts() != nil
    }

    /// What a writable process does as it quits, so that the next one's first frame takes its
    /// counts from beside the cache: empties the log into the file (unless someone else is using
    /// it right then), waits for that write to settle and keeps the counts of the file as it is.
    /// Its close then writes nothing, and the next writable open's own commit carries the counts
    /// over (`OpeningCommit`). Gives up quietly whenever it cannot: the next start then counts.
    public func keepCountsForNextStart(clock: any TallyClock = SystemClock()) async {
        guard !isReadOnly, emptyLogNow() else { return }
        try? await keepCountsOnceSettled(clock: clock)
    }

    /// The cache's version as this process sees it now (see `CacheVersion`).
    public func version() throws -> CacheVersion? {
        try versionedRead { _, before, _, _ in before }
    }

    /// The counts kept beside the cache, when they are the cache's as it is now.
    public func keptCounts() throws -> KeptCounts? {
        let path = self.path
        return try versionedRead { _, before, _, _ in before.flatMap { KeptCounts.read(cachePath: path, matching: $0) } }
    }

    /// `keepCounts` right after a write of this process's own: waits until the file's last
    /// write is a clock tick behind (20 ms; two seconds on a file system that keeps whole
    /// seconds), trying three times at most.
    public func keepCountsOnceSettled(clock: any TallyClock = SystemClock()) async throws {
        for _ in 0..<3 {
            if try keepCounts() { return }
            let margin = try versionedRead { _, before, _, _ in before?.settleMargin } ?? 20_000_000
            try await clock.sleep(for: Double(margin) / 1_000_000_000 + 0.005)
        }
    }
}

extension CacheStore {
    /// Reads only the task pane's page, for a key that changed the filter or scrolled past the
    /// loaded rows: the rest of the snapshot is unchanged, so a key costs one bounded query.
    ///
    /// - Parameter clients: the snapshot's clients, for the names and colours of the rows.
    ///
    /// A list's size is counted along an index (100,000 entries for the whole list): counted once
    /// at a version of the cache, it serves the next keys on the same list (a new order, a move
    /// to its end) until any program commits (`ListCounts`).
    public func taskPage(query: TaskQuery, clients: [Client], now: Date = Date(), timeZone: TimeZone = .current,
                         pendingTaskIDs: Set<Int64> = []) throws -> TaskPage {
        let shape = TaskList.Shape(query)
        let memo = listCounts
        let (page, counted) = try versionedRead { db, before, _, versionNow in
            let reader = SnapshotReader(db: db, now: now, timeZone: timeZone, defaultTarget: Ledger.defaultTarget, workday: 9...18)
            let pending = pendingTaskIDs.union(try SnapshotReader.outboxTaskIDs(db))
            let today = LocalDay(now, in: timeZone)
            let listed = before.flatMap { memo.counts(of: shape, at: $0) }
            var (page, counts) = try reader.tasksCounting(query: query, today: today, clients: clients, pending: pending, listed: listed)
            let after = versionNow()
            if listed != nil, after != before {
                // A commit came before the transaction's first read: count what it reads.
                (page, counts) = try reader.tasksCounting(query: query, today: today, clients: clients, pending: pending)
            }
            let keep: (CacheVersion, TaskList.Counts)? = if let before, after == before, let counts { (before, counts) } else { nil }
            return (page, keep)
        }
        if let (version, counts) = counted { memo.keep(counts, of: shape, at: version) }
        return page
    }
}

/// The sizes of the lists the task pane showed last, each with the cache version it was counted
/// at: a key that keeps the list (a new order, a jump to its end) takes them instead of
/// counting along the index again, until a commit changes the version.
final class ListCounts: Sendable {
    private let kept = Mutex<[(shape: TaskList.Shape, version: CacheVersion, counts: TaskList.Counts)]>([])
    private static let capacity = 4

    func counts(of shape: TaskList.Shape, at version: CacheVersion) -> TaskList.Counts? {
        kept.withLock { kept in kept.first { $0.shape == shape && $0.version == version }?.counts }
    }

    func keep(_ counts: TaskList.Counts, of shape: TaskList.Shape, at version: CacheVersion) {
        kept.withLock { kept in
            kept.removeAll { $0.shape == shape || $0.version != version }
            kept.insert((shape, version, counts), at: 0)
            if kept.count > Self.capacity { kept.removeLast() }
        }
    }
}

/// The queries behind a `Snapshot`, each bounded by what the screen can show.
struct SnapshotReader {
    let db: Database
    let now: Date
    let timeZone: TimeZone
    let defaultTarget: Int
    let workday: ClosedRange<Double>

    /// The figures of a frame that grow with the table: read from `KeptCounts` when they are
    /// the cache's as it is, else counted.
    struct Counts {
        var open: OpenCounts
        var tables: [Namespace: Int]

        init(open: OpenCounts, tables: [Namespace: Int]) {
            self.open = open
            self.tables = tables
        }

        init(_ kept: KeptCounts) {
            self.init(open: kept.open, tables: kept.tables)
        }
    }

    /// - Parameter counts: the counts kept for this transaction's version, nil to count.
    func snapshot(query: TaskQuery, pending: Set<Int64>, cachePath: String, isReadOnly: Bool, counts kept: Counts? = nil) throws -> Snapshot {
        let today = LocalDay(now, in: timeZone)
        let hasTally = try db.hasMainTable(SyncJob.databaseTableName)
        let goals = try DailyGoal.fetchAllRows(db)
        let clients = try Client.fetchAll(db, sql: "SELECT * FROM cached_clients ORDER BY is_active = 0, name, id")
        let figures = Ledger.figures(goals: goals, today: today, defaultTarget: defaultTarget, context: try todayContext(clients: clients))
        var history = Self.history(goals: goals, today: today, days: 30, defaultTarget: defaultTarget)
        if !history.isEmpty {
            history[history.count - 1].earned = figures.earned
            history[history.count - 1].target = figures.target
        }

        let openCounts = try kept?.open ?? OpenCounts.read(db)
        let summaries = clients.map { ClientSummary(client: $0, openTasks: openCounts.open(client: $0.id)) }

        var pendingIDs = pending
        let outboxDepth = try Self.outboxDepth(db)
        pendingIDs.formUnion(try Self.outboxTaskIDs(db))
        let page = try tasks(query: query, today: today, clients: clients, pending: pendingIDs, openCounts: openCounts)

        let habits = try Habit.fetchAll(db, sql: """
            SELECT * FROM cached_habits WHERE coalesce(is_active, 1) != 0
            ORDER BY sort_order IS NULL, sort_order, name, id
            """)
        let (overall, byNamespace) = try CacheMeta.lastSyncs(db)
        let counts = try kept?.tables ?? KeptCounts.tableCounts(db)

        var running: SyncJob?
        var recent: [SyncJob] = []
        var failures: [SyncFailure] = []
        var unresolved = 0
        var hitRates = HitRateSummary()
        if hasTally {
            running = try SyncJob.fetchOne(db, sql: "SELECT * FROM tally_sync_jobs WHERE status = 'running' ORDER BY job_id DESC LIMIT 1")
            recent = try SyncJob.fetchAll(db, sql: "SELECT * FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 8")
            failures = try SyncFailure.fetchAll(db, sql: """
                SELECT * FROM tally_sync_failures WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 50
                """)
            unresolved = try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_sync_failures WHERE resolved_at IS NULL") ?? 0
            hitRates = try CacheStats.summary(db, now: now)
        }
        let (verification, primarySwitch, filledFromRecord) = try Self.provenance(db)

        var habitDays: [Int64: Set<LocalDay>] = [:]
        var pendingHabits: Set<Int64> = []
        if try db.hasMainTable("tally_habit_checkins") {
            let since = Timestamp.format(today.adding(days: -HabitStatus.historyDays).start(in: timeZone))
            let checkIns = try CacheRows.habitCheckIns(since: since, db)
            if !checkIns.isEmpty {
                let finder = HabitStatus.window(now: now, timeZone: timeZone)
                for checkIn in checkIns {
                    if let day = checkIn.day(by: finder) { habitDays[checkIn.habitID, default: []].insert(day) }
                }
            }
            pendingHabits = try CacheRows.pendingHabitIDs(db)
        }
        let habitsDone = Set(habits.filter { habitDays[$0.id]?.contains(today) == true }.map(\.id))

        return Snapshot(
            now: now, goal: figures, history: history, clients: summaries, tasks: page, query: query,
            habits: habits, habitDays: habitDays, habitsDone: habitsDone, pendingHabits: pendingHabits, lastSyncAt: overall, lastSync: byNamespace, rowCounts: counts,
            runningJob: running, recentJobs: recent, failures: failures, unresolvedFailures: unresolved,
            hitRates: hitRates, outboxDepth: outboxDepth, cachePath: cachePath, isReadOnly: isReadOnly,
            energy: try DayEnergy.read(today: today, timeZone: timeZone, db),
            verification: verification, primarySwitch: primarySwitch, filledFromRecord: filledFromRecord, openCounts: openCounts)
    }

    /// What `cache_meta` says of the cache's primary and its last verification.
    static func provenance(_ db: Database) throws -> (VerifyReport?, PrimarySwitch?, String?) {
        var values: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM cache_meta WHERE key IN (?, ?, ?)",
                                    arguments: [VerifyReport.metaKey, PrimarySwitch.metaKey, PrimaryIdentity.metaKey]) {
            if let key = row.text("key"), let value = row.text("value") { values[key] = value }
        }
        return (VerifyReport.decode(values[VerifyReport.metaKey]), PrimarySwitch.decode(values[PrimarySwitch.metaKey]),
                values[PrimaryIdentity.metaKey])
    }

    static func history(goals: [DailyGoal], today: LocalDay, days: Int, defaultTarget: Int) -> [DayPoints] {
        // Only the window's rows are kept: a cache may hold years of them, and a dictionary of
        // them all grew (copying every row) a dozen times for the 30 it is asked for.
        guard days > 0 else { return [] }
        let window = today.adding(days: -(days - 1)).ordinal...today.ordinal
        // A date LocalDay reads begins with its ten canonical characters, so the window's rows
        // are found by comparing text, and only theirs are parsed (not five years of them again).
        let from = today.adding(days: -(days - 1)).description, until = today.adding(days: 1).description
        // A slot a day, oldest first (a dictionary by day would be the frame's only one keyed
        // by `Int`, and its first costs the runtime a scan of every conformance).
        var byDay = [DailyGoal?](repeating: nil, count: days)
        for goal in goals where goal.date >= from && goal.date < until {
            if let ordinal = goal.day?.ordinal, window.contains(ordinal) { byDay[ordinal - window.lowerBound] = goal }
        }
        return (0..<days).reversed().map { back in
            let day = today.adding(days: -back)
            let goal = byDay[days - 1 - back]
            return DayPoints(day: day, earned: max(0, goal?.earnedPoints ?? 0),
                             target: max(0, goal?.targetPoints ?? defaultTarget))
        }
    }

    /// What today's figures need besides the goal rows: the work tasks done today, the clients,
    /// the adjusted targets and the hour.
    func todayContext(clients: [Client]) throws -> Ledger.Today {
        let today = LocalDay(now, in: timeZone)
        var adjusted: [String: Int] = [:]
        if try db.hasMainTable("tally_day_targets") {
            for row in try Row.fetchAll(db, sql: "SELECT date, adjusted_target_points FROM tally_day_targets WHERE date >= ?",
                                        arguments: [today.adding(days: -40).description]) {
                if let date = row.text("date"), let points = row.int("adjusted_target_points") { adjusted[date] = points }
            }
        }
        return Ledger.Today(doneTasks: try doneTasks(on: today), clients: clients, adjustedTargets: adjusted,
                            hour: CacheStore.hour(now, on: today, in: timeZone), workday: workday)
    }

    /// The tasks completed on the local day `day`, newest first. completed_at is an ISO
    /// timestamp in UTC; a value written with an offset, or without its zone, sorts by its own
    /// text, so the UTC dates around the day are looked at and each value's own time decides.
    ///
    /// The look is along `completed_at`'s index alone (its entries carry the id): the ids whose
    /// time falls on the day, then those tasks' rows. Three days of whole rows read to keep one
    /// day's made the first frame of a million tasks, ten times the done tasks a day of a
    /// 100,000-task workload, cost a fifth more (callgrind: 6.5 million instructions of 45).
    func doneTasks(on day: LocalDay, conditions: [String] = [], arguments: [any DatabaseValueConvertible] = []) throws -> [WorkTask] {
        let start = day.start(in: timeZone), end = day.adding(days: 1).start(in: timeZone)
        let (from, until) = (Timestamp.format(start), Timestamp.format(end))
        let near = try db.cachedStatement(sql: "SELECT id, completed_at FROM cached_tasks WHERE completed_at >= ? AND completed_at < ?")
        let column = StatementColumns(near)
        let candidates = try Row.fetchCursor(near, arguments: [Timestamp.format(start.addingTimeInterval(-86400)),
                                                              Timestamp.format(end.addingTimeInterval(86400))])
        var ids: [Int64] = []
        while try candidates.next() != nil {
            guard let id = column.int64(0), let text = column.text(1) else { continue }
            // Written as this cache writes them (`Timestamp.format`), the text orders as the time.
            let onDay = Timestamp.isCanonical(text) ? (text >= from && text < until)
                : Timestamp.parse(text).map { LocalDay($0, in: timeZone) == day } ?? false
            if onDay { ids.append(id) }
        }
        guard !ids.isEmpty else { return [] }
        // `+status` keeps SQLite off the status indexes (60,000 done tasks) and on the ids.
        let filter = TaskFilter(
            conditions: ["id IN (SELECT value FROM json_each(?))", "+status = 'done'"] + conditions,
            arguments: ["[" + ids.map(String.init).joined(separator: ",") + "]"] + arguments)
        return try Row.fetchAll(
            db, sql: "SELECT \(WorkTask.selection) FROM cached_tasks \(filter.whereClause) ORDER BY completed_at DESC, id",
            arguments: filter.statementArguments).map { WorkTask(positions: $0) }
    }

    /// The ids of tasks with a write waiting in the outbox.
    static func outboxTaskIDs(_ db: Database) throws -> [Int64] {
        guard try db.hasMainTable(SyncJob.databaseTableName) else { return [] }
        // A read-only cache may be from before the outbox had kinds (migration tally-v5).
        guard try db.hasColumn("entity", in: OutboxEntry.databaseTableName) else {
            return try Int64.fetchAll(db, sql: """
                SELECT task_id FROM tally_outbox WHERE applied_at IS NULL AND op NOT IN ('habit_checkin', 'habit_undo')
                """)
        }
        return try OutboxStore.pendingIDs(of: .task, db)
    }

    /// Every write waiting for the primary (tasks and habits).
    static func outboxDepth(_ db: Database) throws -> Int {
        guard try db.hasMainTable(SyncJob.databaseTableName) else { return 0 }
        return try OutboxStore.pendingCount(db)
    }
}

/// The open (active and queued) tasks per status and client, counted once per snapshot and shared
/// by the clients pane and the task list's size.
///
/// Counted with `GROUP BY status, client_id` so SQLite walks `tally_cached_tasks_client`
/// (status, client_id, …) in its own order and counts runs of equal keys as it goes. Grouping by
/// `client_id` alone made it sort the 200,000 index entries of a 1,000,000-task cache in a
/// temporary B-tree first: four times the cost, and the largest part of a first frame.
struct OpenCounts: Equatable, Sendable {
    static let statuses = ["active", "queued"]
    static let sql = """
        SELECT status, client_id, count(*) FROM cached_tasks
        WHERE status IN ('active', 'queued') GROUP BY status, client_id
        """

    /// Status, then client id (nil for a task without a client), then the number of tasks.
    var counts: [String: [Int64?: Int]] = [:]

    static func read(_ db: Database) throws -> OpenCounts {
        var result = OpenCounts()
        for status in statuses { result.counts[status] = [:] }
        for row in try Row.fetchAll(db, sql: sql) {
            guard let status = row.text(at: 0) else { continue }
            result.counts[status, default: [:]][row.int64(at: 1)] = row.int(at: 2) ?? 0
        }
        return result
    }

    /// The open tasks of client `id`, both statuses.
    func open(client id: Int64) -> Int {
        counts.values.reduce(0) { $0 + ($1[id] ?? 0) }
    }

    /// The tasks of `status` per client, when that status is one counted here.
    func byClient(status: String) -> [Int64?: Int]? { counts[status] }
}
