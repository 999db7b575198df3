import Foundation
import GRDB
import Logging

/// What became of a completion or an undo.
public enum CompletionOutcome: Sendable, Equatable {
    /// The primary confirmed it and the cache holds the primary's rows.
    case applied(task: WorkTask, goal: DailyGoal?, key: String)
    /// The primary could not be reached: the cache shows it, the outbox keeps it for replay.
    case queued(task: WorkTask, goal: DailyGoal?, key: String, reason: String)
}

/// Completes tasks with write-through: the primary first, in one transaction, then the cache in
/// one transaction. When the primary is unreachable the completion is kept in `tally_outbox`
/// together with the cache's change (one transaction) and replayed in order by the next sync.
///
/// Every completion is recorded in the outbox, applied ones with `applied_at` set: that record
/// holds what undo needs (the task as it was, the goal row's streak before). A replay is
/// exactly-once without any table of Tally's on the primary: the primary finds the task done at
/// the completion's own `completed_at` and changes nothing.
public final class CompletionService: Sendable {
    public let workspace: Workspace
    let logger = Logger(label: "tally.complete")

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var cache: CacheStore { workspace.cache }
    var defaultTarget: Int { workspace.config.targetPoints }

    /// An outbox `complete` entry's payload.
    struct Payload: Codable {
        var key: String
        var points: Int
        var completedAt: String
        var day: String
        var explicitPoints: Bool?
        /// The task before the completion, for undo.
        var previous: PriorTask
        /// The goal row's streak before the completion, when the completion moved it.
        var streakBefore: StreakFields?
        /// Set when the completion was undone.
        var undoneAt: String?

        func request(defaultTarget: Int, taskID: Int64) -> CompletionRequest {
            CompletionRequest(taskID: taskID, points: points, completedAt: completedAt, day: LocalDay(day) ?? LocalDay(Date()),
                              key: key, explicitPoints: explicitPoints ?? false, defaultTarget: defaultTarget)
        }

        func undo(taskID: Int64, at: String, defaultTarget: Int) -> UndoRequest {
            UndoRequest(taskID: taskID, completedAt: completedAt, previous: previous, points: points, day: day,
                        streakBefore: streakBefore, at: at, defaultTarget: defaultTarget)
        }

        var json: String { (try? JSONEncoder().encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}" }

        static func decode(_ text: String) -> Payload? { try? JSONDecoder().decode(Payload.self, from: Data(text.utf8)) }
    }

    /// Completes `taskID` with `points` (default: the task's own, see `Points`).
    ///
    /// - Throws: `TallyError.unknownTask` when the cache has no such task, `TallyError.conflict`
    ///   when the primary has it done or deleted (the cache then follows the primary), and the
    ///   primary's error when it is reachable but refuses (auth, schema).
    public func complete(taskID: Int64, points: Int? = nil, now: Date = Date(),
                         timeZone: TimeZone = .current) async throws -> CompletionOutcome {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        if let points, points < 0 { throw TallyError.invalidPoints(String(points)) }
        // Another program rewriting the cache (a DELETE, then its rows) shows the task missing
        // for a moment: wait for it, and ask the primary about a task the cache lacks.
        cache.courtesy.waitForQuiet()
        var cached = try cache.read { db in try CacheRows.task(taskID, db) }
        if cached == nil, let primary = workspace.primary {
            cached = try? await primary.task(id: taskID)
        }
        guard let task = cached else {
            throw TallyError.unknownTask(taskID)
        }
        if task.taskStatus == .done {
            throw TallyError.conflict("Task \(taskID) is already done.")
        }
        let request = CompletionRequest(
            taskID: taskID, points: points ?? task.effectivePoints, completedAt: Timestamp.format(now),
            day: LocalDay(now, in: timeZone), key: UUID().uuidString.lowercased(), explicitPoints: points != nil,
            defaultTarget: defaultTarget)
        var payload = Payload(key: request.key, points: request.points, completedAt: request.completedAt,
                              day: request.day.description, explicitPoints: request.explicitPoints,
                              previous: PriorTask(task), streakBefore: nil)

        guard let primary = workspace.primary else {
            throw TallyError.noPrimary
        }
        // Earlier writes still queued: keep order, queue behind them.
        guard try !hasPendingOutbox() else {
            return try queue(request, payload: payload, reason: "earlier completions are waiting for the primary")
        }
        do {
            let result = try await primary.complete(request)
            payload.streakBefore = result.streakBefore
            try writeConfirmed(result, record: OutboxEntry(op: .complete, taskID: taskID, payload: payload.json,
                                                           createdAt: request.completedAt))
            logger.info("completed task \(taskID)", metadata: ["points": "\(request.points)"])
            return .applied(task: result.task, goal: result.goal, key: request.key)
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            if failure.type == .conflict {
                recordFailure(failure, taskID: taskID)
                await follow(primary: primary, taskID: taskID, date: request.day.description)
                throw TallyError.conflict(failure.message)
            }
            guard failure.type.isTransient else {
                recordFailure(failure, taskID: taskID)
                throw failure
            }
            return try queue(request, payload: payload, reason: failure.message)
        }
    }

    func hasPendingOutbox() throws -> Bool {
        try cache.read { db in try OutboxStore.pendingCount(db) } > 0
    }

    /// Writes the primary's rows for the task and its day to the cache, in one transaction, with
    /// the outbox record (`record`, stored as applied) or the applied mark of a replayed entry.
    func writeConfirmed(_ result: CompletionResult, record: OutboxEntry? = nil, replayed: (id: Int64, payload: String)? = nil) throws {
        let now = Timestamp.format(Date())
        try cache.write { db in
            try CacheRows.upsert(result.task, db)
            try CacheRows.upsert(result.goal, db)
            if var record {
                record.appliedAt = now
                record.attempts = 1
                try OutboxStore.insert(record, db)
            }
            if let replayed { try OutboxStore.markApplied(replayed.id, payload: replayed.payload, at: now, db) }
        }
    }

    /// Queues the completion and shows it in the cache, in one transaction.
    func queue(_ request: CompletionRequest, payload: Payload, reason: String) throws -> CompletionOutcome {
        var payload = payload
        let (task, goal) = try cache.write { db -> (WorkTask, DailyGoal?) in
            let current = try CacheRows.task(request.taskID, db)
            guard try CompletionPlan.shouldComplete(current, request, shown: "the cache"), let current else {
                throw TallyError.conflict("Task \(request.taskID) is already done.")
            }
            let date = request.day.description
            let today = try Self.goal(db, date)
            let yesterday = try Self.goal(db, request.day.adding(days: -1).description)
            let done = CompletionPlan.completed(current, request)
            try CacheRows.upsert(done, db)
            let change = CompletionPlan.goalChange(completing: request, today: today, yesterday: yesterday)
            try change.write(to: "cached_daily_goals", insert: true, db)
            payload.streakBefore = change.streak == nil ? nil : StreakFields(today)
            var entry = OutboxEntry(op: .complete, taskID: request.taskID, payload: payload.json, createdAt: request.completedAt)
            entry.lastError = reason
            try OutboxStore.insert(entry, db)
            return (done, try Self.goal(db, date))
        }
        logger.notice("completion queued", metadata: ["task": "\(request.taskID)", "reason": "\(reason)"])
        return .queued(task: task, goal: goal, key: request.key, reason: reason)
    }

    static func goal(_ db: Database, _ date: String) throws -> DailyGoal? {
        try CacheRows.goal(on: date, db)
    }

    /// Undoes the completion made with `key` (`u` within 10 s).
    public func undo(key: String, taskID: Int64, now: Date = Date(), timeZone: TimeZone = .current) async throws -> CompletionOutcome {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        let target = defaultTarget
        let at = Timestamp.format(now)
        guard let entry = try cache.read({ db in
            try OutboxStore.entry(.complete, taskID: taskID, key: key, db)
        }), let entryID = entry.id, var payload = Payload.decode(entry.payload), payload.undoneAt == nil else {
            throw TallyError.badArgument("There is no completion of task \(taskID) to undo.")
        }
        let request = payload.undo(taskID: taskID, at: at, defaultTarget: target)

        // Still queued: take it out of the outbox and back out of the cache; the primary never saw it.
        if entry.appliedAt == nil {
            let (task, goal) = try cache.write { db -> (WorkTask, DailyGoal?) in
                let restored = try Self.undoLocally(request, db)
                try OutboxStore.delete(entryID, db)
                return (restored, try Self.goal(db, request.day))
            }
            return .applied(task: task, goal: goal, key: key)
        }

        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        payload.undoneAt = at
        let marked = payload.json
        do {
            guard try !hasPendingOutbox() else { throw QueueBehind() }
            let result = try await primary.undo(request)
            try cache.write { db in
                try CacheRows.upsert(result.task, db)
                try CacheRows.upsert(result.goal, db)
                try OutboxStore.setPayload(entryID, marked, db)
            }
            return .applied(task: result.task, goal: result.goal, key: key)
        } catch {
            let failure = error is QueueBehind
                ? ClassifiedFailure(type: .network, message: "earlier writes are waiting for the primary", detail: "")
                : FailureClassifier.classify(error, primary: primary.displayName)
            guard failure.type.isTransient else {
                recordFailure(failure, taskID: taskID)
                if failure.type == .conflict { await follow(primary: primary, taskID: taskID, date: request.day) }
                throw failure
            }
            // Queue the undo and show it locally.
            let json = (try? JSONEncoder().encode(request)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            let (task, goal) = try cache.write { db -> (WorkTask, DailyGoal?) in
                let restored = try Self.undoLocally(request, db)
                var undo = OutboxEntry(op: .uncomplete, taskID: taskID, payload: json, createdAt: at)
                undo.lastError = failure.message
                try OutboxStore.insert(undo, db)
                try OutboxStore.setPayload(entryID, marked, db)
                return (restored, try Self.goal(db, request.day))
            }
            return .queued(task: task, goal: goal, key: key, reason: failure.message)
        }
    }

    /// Earlier writes are queued: this one queues behind them.
    struct QueueBehind: Error {}

    /// Puts the cache's task back and takes the points off its day; returns the task.
    static func undoLocally(_ request: UndoRequest, _ db: Database) throws -> WorkTask {
        guard let task = try CacheRows.task(request.taskID, db) else {
            throw TallyError.unknownTask(request.taskID)
        }
        let back = CompletionPlan.restored(task, request)
        try CacheRows.upsert(back, db)
        let today = try goal(db, request.day)
        if today != nil {
            try CompletionPlan.goalChange(undoing: request, today: today).write(to: "cached_daily_goals", insert: false, db)
        }
        return back
    }

    /// Replays queued writes in order; stops at the first one the primary cannot take yet.
    /// Returns how many were applied. Called by the sync engine before it fetches.
    public func replayOutbox(jobID: Int64? = nil) async -> Int {
        guard let primary = workspace.primary, !cache.isReadOnly else { return 0 }
        guard let entries = try? cache.read({ db in
            try OutboxStore.pending(db)
        }) else { return 0 }
        var applied = 0
        for var entry in entries {
            guard let id = entry.id else { continue }
            // A write to a task added offline goes to the id the add's replay got.
            if entry.taskID < 0, let real = try? cache.read({ db in try OutboxStore.resolve(entry.taskID, db) }) {
                entry.taskID = real
            }
            let now = Timestamp.format(Date())
            var day: String?
            do {
                switch entry.operation {
                case .complete?:
                    guard var payload = Payload.decode(entry.payload) else { throw TallyError.badArgument("unreadable outbox entry \(id)") }
                    day = payload.day
                    let result = try await primary.complete(payload.request(defaultTarget: defaultTarget, taskID: entry.taskID))
                    if !result.wasReplay { payload.streakBefore = result.streakBefore }
                    try writeConfirmed(result, replayed: (id, payload.json))
                case .uncomplete?:
                    let request = try JSONDecoder().decode(UndoRequest.self, from: Data(entry.payload.utf8))
                    day = request.day
                    let result = try await primary.undo(request)
                    try writeConfirmed(result, replayed: (id, entry.payload))
                case .add?, .edit?, .delete?:
                    try await TaskWriter(workspace: workspace).replay(entry, primary: primary)
                case .habitCheckIn?, .habitUndo?:
                    try await HabitWriter(workspace: workspace).replay(entry, primary: primary)
                case nil:
                    try cache.write { db in
                        try OutboxStore.markApplied(id, error: "unknown operation \(entry.op); skipped", at: now, db)
                    }
                    continue
                }
                applied += 1
            } catch {
                let failure = FailureClassifier.classify(error, primary: primary.displayName)
                if failure.type == .conflict || !failure.type.isTransient && failure.type != .auth {
                    // The primary will never take it: record, let the cache follow the primary, go on.
                    _ = try? cache.write { db in
                        try OutboxStore.markApplied(id, error: failure.message, at: now, db)
                    }
                    if entry.operation?.isHabit == true {
                        let habits = HabitWriter(workspace: workspace)
                        habits.recordFailure(failure, habitID: entry.taskID, jobID: jobID)
                        await habits.follow(primary: primary, habitID: entry.taskID)
                    } else {
                        recordFailure(failure, taskID: entry.taskID, jobID: jobID)
                        await follow(primary: primary, taskID: entry.taskID, date: day)
                    }
                    continue
                }
                _ = try? cache.write { db in
                    try OutboxStore.recordAttempt(id, error: failure.message, db)
                }
                if failure.type == .auth { recordFailure(failure, taskID: entry.taskID, jobID: jobID) }
                break
            }
        }
        return applied
    }

    /// Makes the cache hold the primary's version of a task and a day's goal (after a conflict).
    func follow(primary: any PrimaryStore, taskID: Int64, date: String?) async {
        let remoteTask = try? await primary.task(id: taskID)
        var remoteGoal: DailyGoal?
        if let date { remoteGoal = try? await primary.goal(date: date) }
        _ = try? cache.write { db in
            if let remoteTask {
                try CacheRows.upsert(remoteTask, db)
            } else {
                try CacheRows.remove(.tasks, ids: [taskID], db)
            }
            try CacheRows.upsert(remoteGoal, db)
        }
    }

    func recordFailure(_ failure: ClassifiedFailure, taskID: Int64, jobID: Int64? = nil) {
        _ = try? cache.write { db in try CacheRows.recordTaskFailure(failure, taskID: taskID, jobID: jobID, db) }
    }
}
