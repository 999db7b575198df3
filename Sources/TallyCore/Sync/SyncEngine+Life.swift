import Foundation
import GRDB

/// WorkOS's other tables, copied into Tally's own (`LifeTable.all`), as the last step of a job.
///
/// The habit, energy, brain-dump, client-memory and personal-task tools answer from the cache,
/// offline, like the rest; the contract tables stay exactly as the WorkOS MCP server keeps them,
/// so these rows live in `tally_` tables beside them. Each table is read in its window (90 days
/// of energy readings and habit completions, unprocessed brain dumps and 30 days of the rest,
/// every client memory row, 60 days of the goal rows' energy columns, the personal tasks the
/// contract scope leaves out, the cognitive load of the tasks that changed), all tables in one
/// or two round trips (`LifeSource`), and written in one cache transaction, only where
/// something differs. A primary without one of the tables (an older WorkOS) has it recorded as
/// missing, and the tools that need it say so; nothing is created there.
extension SyncEngine {
    /// The step of a job: a failure is recorded for the failures view (entity `life`) and the
    /// log, but does not fail the job, whose contract tables are synced.
    func syncLife(job: SyncJob, full: Bool, loadsRead: Bool = false, early: EarlyLife? = nil) async {
        guard primary.lifeSource != nil else { return }
        do {
            try await syncLife(full: full, loadsRead: loadsRead, early: early)
        } catch is CancellationError {
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            let row = SyncFailure(jobID: job.id, at: Timestamp.format(Date()), entity: Self.lifeEntity, errorType: failure.type,
                                  message: failure.message, detail: nil, attempt: 1)
            _ = try? await cache.write { db in try CacheRows.record(row, db) }
            logger.warning("WorkOS's other tables not read from the primary", metadata: ["detail": "\(failure.detail)"])
        }
    }

    /// The failures view's name for this step.
    static let lifeEntity = "life"

    /// Reads every life table from the primary into the cache. `full` reads them whole again
    /// (and every cached task's load) instead of trusting the digests the cache holds; with
    /// `loadsRead` the job has read every task's load with the task already
    /// (`LifeSource.fetchTasksWithLoads`), and only what that read covered is recorded. Returns
    /// how many cache rows changed; nothing is written when nothing did.
    ///
    /// - Parameter early: the tables other than the loads, planned and asked for as the job
    ///   began (`startLife`); their answers are used as they are.
    @discardableResult
    public func syncLife(full: Bool = false, loadsRead: Bool = false, now: Date = Date(), early: EarlyLife? = nil) async throws -> Int {
        guard let source = primary.lifeSource else { return 0 }
        let at = Timestamp.format(now)
        let lookback = options.lookback
        var conditions: [String: LifeQuery.Condition] = [:]
        for table in LifeTable.all { conditions[table.name] = condition(table.window, now: now) }
        let windows = conditions
        let asked = await early?.plans.value ?? [:]
        var planned = try await cache.read { db -> [LifePlan] in
            try LifeTable.all.map { table in
                if let plan = asked[table.name] { return plan }
                guard table.window == .cachedTasks else {
                    return try Self.plan(table, condition: windows[table.name] ?? .nothing, full: full, db)
                }
                let known = try LifeStore.known(table, db)
                let status = try LifeStore.status(table, db)
                // A full read that brought every load with its task needs only the mark.
                if full && loadsRead {
                    return LifePlan(query: LifeQuery(table: table, condition: .ids([])), status: status,
                                    mark: try LoadMark.ofEveryTask(lookback: lookback, db)?.text, knownMark: known.mark, loadsRead: true)
                }
                // The tasks changed since the last read: newer than its newest change, or in the
                // lookback before it (a late commit, as the namespaces re-read) and not seen then.
                let last = full ? nil : known.mark.flatMap(LoadMark.init)
                let since = last.flatMap { Timestamp.parse($0.newest) }.map { Timestamp.format($0.addingTimeInterval(-lookback)) }
                let changed = try LifeStore.changedTasks(since: since, db)
                let seen = Set(last?.seen ?? [])
                let ids = changed.filter { task in last.map { task.updatedAt > $0.newest || !seen.contains(task.id) } ?? true }.map(\.id)
                let mark = LoadMark(changed, lookback: lookback) ?? last
                let held = full || ids.count > 5000 ? nil : try LifeStore.storedLoads(ids, db)
                return LifePlan(query: LifeQuery(table: table, condition: .ids(ids)), status: status, mark: mark?.text,
                                knownMark: known.mark, heldLoads: held)
            }
        }
        // The loads of many tasks (a warm-up's every task) are read and written a slice at a
        // time before the rest, each slice in its own transaction, keeping the mark they had: a
        // million at once held every row twice over in memory. The last slice goes with the other
        // tables and writes the new mark; a job stopped before it reads them all again next time.
        // Each read is asked for before the slice before it is written: the primary answers
        // (and its rows are decoded) while the cache writes.
        var sliced = 0
        let slice = max(1, options.loadSlice)
        let slices: [LifeQuery]
        if let index = planned.firstIndex(where: { $0.query.table.window == .cachedTasks }),
           case .ids(let ids) = planned[index].query.condition, ids.count > slice {
            let table = planned[index].query.table
            let last = (ids.count - 1) / slice * slice
            slices = stride(from: 0, to: last, by: slice).map { LifeQuery(table: table, condition: .ids(Array(ids[$0..<($0 + slice)]))) }
            planned[index].query = LifeQuery(table: table, condition: .ids(Array(ids[last...])))
            planned[index].heldLoads = nil
        } else {
            slices = []
        }
        // The tables asked for as the job began: only the rest is asked now, and all of them
        // again if that early answer failed.
        let earlyAnswers = early?.answers
        let rest = planned.map(\.query).filter { query in earlyAnswers == nil || asked[query.table.name] == nil }
        let everything = planned.map(\.query)
        func reading(_ position: Int) -> Task<[String: LifeRead], any Error> {
            if position < slices.count { return Task { try await source.readLife([slices[position]]) } }
            guard let earlyAnswers else { return Task { try await source.readLife(rest) } }
            return Task {
                async let now = source.readLife(rest)
                guard let before = try? await earlyAnswers.value else { return try await source.readLife(everything) }
                return try await now.merging(before) { current, _ in current }
            }
        }
        var next = reading(0)
        defer { next.cancel() }
        for (position, query) in slices.enumerated() {
            let answer = try await next.value[query.table.name]
            next = reading(position + 1)
            guard case .rows(let rows, _)? = answer else { continue }
            sliced += try await cache.write { db in
                try LifeStore.apply(query.table, rows: rows, digest: nil, mark: nil, at: at, db)
            }
        }
        let answers = try await next.value
        // Nothing new: no write at all (every commit wakes every reader of the cache).
        let nothingNew = planned.allSatisfy { plan in
            switch answers[plan.query.table.name] {
            case .unchanged?: return plan.mark == nil || plan.mark == plan.knownMark
            case .missing?: if case .missing = plan.status { return true } else { return false }
            case .rows(let rows, _)?: return plan.holds(rows)
            case nil: return false
            }
        }
        guard !nothingNew || full else { return sliced }
        let shown = primary.displayName
        let plans = planned, before = sliced
        let changed = try await cache.write { db -> Int in
            var changed = before
            if full { try LifeStore.pruneLoads(db) }
            for plan in plans {
                let query = plan.query, table = query.table
                if plan.loadsRead {
                    try LifeStore.recordLoadsReadWithTasks(mark: plan.mark, at: at, db)
                    continue
                }
                switch answers[table.name] ?? .missing {
                case .missing:
                    try LifeStore.markMissing(table, primary: shown, at: at, db)
                case .unchanged:
                    try LifeStore.touch(table, mark: plan.mark, at: at, db)
                case .rows(let rows, let digest):
                    if plan.holds(rows) {
                        try LifeStore.touch(table, mark: plan.mark, at: at, db)
                    } else {
                        changed += try LifeStore.apply(table, rows: rows, digest: digest, mark: plan.mark, at: at, db)
                    }
                }
            }
            try CacheRows.resolveFailures(of: Self.lifeEntity, exceptJob: nil, at: at, db)
            return changed
        }
        logger.info("WorkOS's other tables read from the primary", metadata: ["changed": "\(changed)"])
        return changed
    }

    /// What `syncLife` asks for a table other than the loads, from what the cache holds.
    static func plan(_ table: LifeTable, condition: LifeQuery.Condition, full: Bool, _ db: Database) throws -> LifePlan {
        let known = try LifeStore.known(table, db)
        let status = try LifeStore.status(table, db)
        // Where readers find the personal tasks: Tally's copy, or the contract table when the
        // scope keeps them there.
        let mark = table.window == .personalTasks ? (condition == .nothing ? "cached_tasks" : table.cacheTable) : nil
        return LifePlan(query: LifeQuery(table: table, condition: condition, knownDigest: full ? nil : known.digest),
                        status: status, mark: mark, knownMark: known.mark)
    }

    /// WorkOS's other tables but the loads, planned and asked for as an incremental job begins
    /// (`startLife`): they do not depend on the job's rows, and their digests (2.5 ms of the
    /// server's time) were the last round trip of a job before its end.
    public struct EarlyLife: Sendable {
        /// What the cache held of each table as the job began (nil: the plan failed, and the
        /// step plans them itself).
        var plans: Task<[String: LifePlan]?, Never>
        var answers: Task<[String: LifeRead], any Error>

        func cancel() { answers.cancel() }
    }

    /// Plans and asks for every life table but the loads, on whichever connection is free
    /// first (`PostgresPrimary.readLife`); nil when there is nothing to ask. Returns at once: the
    /// plan reads the cache while the job writes its first rows, which do not wait for it.
    func startLife(now: Date = Date()) -> EarlyLife? {
        guard let source = primary.lifeSource else { return nil }
        let tables = LifeTable.all.filter { $0.window != .cachedTasks }
        let conditions = tables.map { condition($0.window, now: now) }
        let cache = self.cache
        let planning = Task { () -> [LifePlan]? in
            guard let plans = try? await cache.read({ db in
                try zip(tables, conditions).map { table, condition in try Self.plan(table, condition: condition, full: false, db) }
            }), !plans.isEmpty else { return nil }
            return plans
        }
        return EarlyLife(plans: Task { await planning.value.map { plans in Dictionary(uniqueKeysWithValues: plans.map { ($0.query.table.name, $0) }) } },
                         answers: Task {
                             guard let plans = await planning.value else { return [:] }
                             return try await source.readLife(plans.map(\.query))
                         })
    }

    /// What a sync asks for one life table, and what the cache held when it asked.
    struct LifePlan: Sendable {
        var query: LifeQuery
        var status: LifeStatus
        /// For the loads: the newest change among the cached tasks, and the one the last read saw.
        var mark: String?
        var knownMark: String?
        /// For the loads: what the cache holds for the ids asked (nil: not compared).
        var heldLoads: [Int64: String]?
        /// For the loads: read with the tasks by this job, nothing to ask for.
        var loadsRead = false

        /// Whether `rows` (the loads read) are what the cache already holds, under the same mark.
        func holds(_ rows: [[DatabaseValue]]) -> Bool {
            guard case .ids(let ids) = query.condition else { return false }
            if ids.isEmpty { return mark == knownMark }
            guard let heldLoads, mark == knownMark else { return false }
            var read: [Int64: String] = [:]
            for row in rows where row.count == 2 {
                if let id = Row.int64(row[0]), let load = Row.text(row[1]) { read[id] = load }
            }
            return read == heldLoads
        }
    }

    /// Where the loads' last read got to in the cached tasks' changes: the newest `updated_at`,
    /// and the tasks changed within the lookback before it (read then, so not read again).
    struct LoadMark: Codable, Equatable {
        var newest: String
        /// Sorted, so the same tasks give the same text.
        var seen: [Int64]

        /// From the changed tasks a read covers; nil when there were none.
        init?(_ changed: [(id: Int64, updatedAt: String)], lookback: Double) {
            guard let newest = changed.map(\.updatedAt).max() else { return nil }
            let from = Timestamp.parse(newest).map { Timestamp.format($0.addingTimeInterval(-lookback)) } ?? newest
            self.newest = newest
            seen = changed.filter { $0.updatedAt >= from }.map(\.id).sorted()
        }

        init?(_ text: String) {
            guard let mark = try? JSONDecoder().decode(LoadMark.self, from: Data(text.utf8)) else { return nil }
            self = mark
        }

        /// The mark `init(_:lookback:)` makes from every task the cache holds, found by SQLite
        /// (two walks of the table) instead of from every task's id and time read into memory
        /// first: a second of a million-task warm-up. Timestamps compare as their bytes, in SQLite
        /// as in Swift.
        static func ofEveryTask(lookback: Double, _ db: Database) throws -> LoadMark? {
            guard let newest = try String.fetchOne(db, sql: "SELECT max(coalesce(updated_at, '')) FROM cached_tasks WHERE id > 0")
            else { return nil }
            let from = Timestamp.parse(newest).map { Timestamp.format($0.addingTimeInterval(-lookback)) } ?? newest
            let seen = try Int64.fetchAll(db, sql: "SELECT id FROM cached_tasks WHERE id > 0 AND coalesce(updated_at, '') >= ? ORDER BY id",
                                          arguments: [from])
            return LoadMark(newest: newest, seen: seen)
        }

        private init(newest: String, seen: [Int64]) {
            self.newest = newest
            self.seen = seen
        }

        var text: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        }
    }

    /// A window as of `now` (a `date` column counts local days; a time column, 24-hour days).
    func condition(_ window: LifeTable.Window, now: Date) -> LifeQuery.Condition {
        func since(_ column: String, _ days: Int) -> String {
            column == "date" ? LocalDay(now).adding(days: -days).description
                : Timestamp.format(now.addingTimeInterval(-Double(days) * 86400))
        }
        switch window {
        case .all:
            return .all
        case .recent(let column, let days):
            return .since(column: column, value: since(column, days))
        case .unprocessedOrRecent(let column, let days):
            return .unprocessedOrSince(column: column, value: since(column, days))
        case .personalTasks:
            // The contract scope keeps personal tasks in `cached_tasks` already.
            if let categories = options.scope.taskCategories, !categories.contains("personal") {
                return .personal(doneSince: options.scope.window(now: now).doneSince)
            }
            return .nothing
        case .cachedTasks:
            return .ids([])
        }
    }
}
