import Foundation
import GRDB
import Logging

/// What became of a completion or an undo.
public enum CompletionOutcome: Sendable, Equatable {
    /// The primary confirmed it and the cache holds the primary's rows.
    case applied(task: WorkTask, goal: DailyGoal, key: String)
    /// The primary could not be reached: the cache shows it, the outbox keeps it for replay.
    case queued(task: WorkTask, goal: DailyGoal, key: String, reason: String)
}

/// Completes tasks with write-through (SPEC §5): the primary first, in one transaction, then the
/// cache in one transaction. When the primary is unreachable the completion is kept in
/// `tally_outbox` together with the cache's change (one transaction) and replayed in order by
/// the next sync; the primary's `tally_applied` record makes a replay count points only once.
public final class CompletionService: Sendable {
    public let workspace: Workspace
    let logger = Logger(label: "tally.complete")

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    var cache: CacheStore { workspace.cache }
    var defaultTarget: Int { workspace.config.targetPoints }

    struct Payload: Codable {
        var key: String
        var points: Int
        var completedAt: String
        var day: String
        /// The cache task as it was before, so a queued completion can be taken back locally.
        var previousStatus: String?
        var previousCompletedAt: String?
        var previousPointsFinal: Int?
    }

    /// Completes `taskID` with `points` (default: the task's own, see `Points`).
    ///
    /// - Throws: `TallyError.unknownTask` when the cache has no such task, `TallyError.conflict`
    ///   when the primary has it done or deleted (the cache then follows the primary), and the
    ///   primary's error when it is reachable but refuses (auth, schema).
    public func complete(taskID: Int64, points: Int? = nil, now: Date = Date(),
                         timeZone: TimeZone = .current) async throws -> CompletionOutcome {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        guard let task = try cache.read({ db in try WorkTask.fetchOne(db, key: taskID) }) else {
            throw TallyError.unknownTask(taskID)
        }
        if let points, points < 0 { throw TallyError.invalidPoints(String(points)) }
        if task.taskStatus == .done {
            throw TallyError.conflict("Task \(taskID) is already done.")
        }
        let request = CompletionRequest(
            taskID: taskID, points: points ?? task.effectivePoints, completedAt: Timestamp.format(now),
            day: LocalDay(now, in: timeZone), key: UUID().uuidString.lowercased(), defaultTarget: defaultTarget)

        guard let primary = workspace.primary else {
            throw TallyError.noPrimary
        }
        let hasQueue = try hasPendingOutbox()
        if !hasQueue {
            do {
                let result = try await primary.complete(request)
                try writeConfirmed(result)
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
                return try queue(request, task: task, reason: failure.message)
            }
        }
        // Earlier completions are still queued: keep order, queue behind them.
        return try queue(request, task: task, reason: "earlier completions are waiting for the primary")
    }

    func hasPendingOutbox() throws -> Bool {
        try cache.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL") ?? 0
        } > 0
    }

    /// Writes the primary's rows for the task and its day to the cache, in one transaction.
    func writeConfirmed(_ result: CompletionResult) throws {
        try cache.write { db in
            try SyncEngine.upsert(.tasks, rows: [result.task.databaseValues], db)
            if result.goal.id != 0 { try SyncEngine.upsert(.goals, rows: [result.goal.databaseValues], db) }
        }
    }

    /// Queues the completion and shows it in the cache, in one transaction.
    func queue(_ request: CompletionRequest, task: WorkTask, reason: String) throws -> CompletionOutcome {
        let payload = Payload(key: request.key, points: request.points, completedAt: request.completedAt,
                              day: request.day.description, previousStatus: task.status,
                              previousCompletedAt: task.completedAt, previousPointsFinal: task.pointsFinal)
        let json = String(data: try JSONEncoder().encode(payload), encoding: .utf8) ?? "{}"
        let target = defaultTarget
        let outcome = try cache.write { db -> CompletionPlan.Outcome in
            let current = try WorkTask.fetchOne(db, key: request.taskID)
            let goals = try DailyGoal.fetchAll(db, sql: "SELECT * FROM cached_daily_goals")
            var planRequest = request
            planRequest.defaultTarget = target
            let plan = try CompletionPlan.complete(task: current, applied: nil, goals: goals, request: planRequest, shown: "the cache")
            try Self.writeLocal(plan, db)
            var entry = OutboxEntry(op: .complete, taskID: request.taskID, payload: json, createdAt: request.completedAt)
            entry.lastError = reason
            try entry.insert(db)
            return plan
        }
        logger.notice("completion queued", metadata: ["task": "\(request.taskID)", "reason": "\(reason)"])
        return .queued(task: outcome.task, goal: outcome.goal, key: request.key, reason: reason)
    }

    /// Writes a locally planned task and goal change to the cache (goal matched by date).
    static func writeLocal(_ plan: CompletionPlan.Outcome, _ db: Database) throws {
        try SyncEngine.upsert(.tasks, rows: [plan.task.databaseValues], db)
        try plan.goal.upsertByDate(db, table: "cached_daily_goals")
    }

    /// Undoes the completion made with `key` (SPEC §5: `u` within 10 s).
    public func undo(key: String, taskID: Int64, now: Date = Date(), timeZone: TimeZone = .current) async throws -> CompletionOutcome {
        if cache.isReadOnly { throw TallyError.cacheReadOnly(cache.path) }
        let target = defaultTarget
        // Still queued: take it out of the outbox and back out of the cache; the primary never saw it.
        let local = try cache.write { db -> CompletionPlan.Outcome? in
            let entries = try OutboxEntry.fetchAll(db, sql: "SELECT * FROM tally_outbox WHERE applied_at IS NULL AND op = 'complete'")
            guard let entry = entries.first(where: { (try? JSONDecoder().decode(Payload.self, from: Data($0.payload.utf8)))?.key == key }),
                  let payload = try? JSONDecoder().decode(Payload.self, from: Data(entry.payload.utf8))
            else { return nil }
            let task = try WorkTask.fetchOne(db, key: taskID)
            let goals = try DailyGoal.fetchAll(db, sql: "SELECT * FROM cached_daily_goals")
            let applied = AppliedCompletion(
                key: key, taskID: taskID, points: payload.points, day: payload.day,
                previousStatus: payload.previousStatus, previousCompletedAt: payload.previousCompletedAt,
                previousPointsFinal: payload.previousPointsFinal, appliedAt: payload.completedAt, undoneAt: nil)
            let plan = try CompletionPlan.undo(
                task: task, applied: applied, goals: goals, key: key, taskID: taskID,
                day: LocalDay(payload.day) ?? LocalDay(now, in: timeZone), at: Timestamp.format(now),
                defaultTarget: target, shown: "the cache")
            try Self.writeLocal(plan, db)
            try db.execute(sql: "DELETE FROM tally_outbox WHERE id = ?", arguments: [entry.id])
            return plan
        }
        if let local { return .applied(task: local.task, goal: local.goal, key: key) }

        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        let day = LocalDay(now, in: timeZone)
        do {
            let result = try await primary.undo(key: key, taskID: taskID, day: day, defaultTarget: target)
            try writeConfirmed(result)
            return .applied(task: result.task, goal: result.goal, key: key)
        } catch {
            let failure = FailureClassifier.classify(error, primary: primary.displayName)
            guard failure.type.isTransient else {
                recordFailure(failure, taskID: taskID)
                throw failure
            }
            // Queue the undo and show it locally.
            let payload = #"{"key":"\#(key)"}"#
            let plan = try cache.write { db -> CompletionPlan.Outcome in
                let task = try WorkTask.fetchOne(db, key: taskID)
                let goals = try DailyGoal.fetchAll(db, sql: "SELECT * FROM cached_daily_goals")
                let points = task?.pointsFinal ?? 0
                let applied = AppliedCompletion(key: key, taskID: taskID, points: points, day: day.description,
                                                previousStatus: "active", previousCompletedAt: nil,
                                                previousPointsFinal: nil, appliedAt: "", undoneAt: nil)
                let plan = try CompletionPlan.undo(task: task, applied: applied, goals: goals, key: key, taskID: taskID,
                                                   day: day, at: Timestamp.format(now), defaultTarget: target, shown: "the cache")
                try Self.writeLocal(plan, db)
                var entry = OutboxEntry(op: .uncomplete, taskID: taskID, payload: payload, createdAt: Timestamp.format(now))
                entry.lastError = failure.message
                try entry.insert(db)
                return plan
            }
            return .queued(task: plan.task, goal: plan.goal, key: key, reason: failure.message)
        }
    }

    /// Replays queued writes in order; stops at the first one the primary cannot take yet.
    /// Returns how many were applied. Called by the sync engine before it fetches.
    public func replayOutbox(jobID: Int64? = nil) async -> Int {
        guard let primary = workspace.primary, !cache.isReadOnly else { return 0 }
        guard let entries = try? cache.read({ db in
            try OutboxEntry.fetchAll(db, sql: "SELECT * FROM tally_outbox WHERE applied_at IS NULL ORDER BY id")
        }) else { return 0 }
        var applied = 0
        for entry in entries {
            guard let id = entry.id else { continue }
            let now = Timestamp.format(Date())
            do {
                let result: CompletionResult
                switch entry.operation {
                case .complete?:
                    let payload = try JSONDecoder().decode(Payload.self, from: Data(entry.payload.utf8))
                    let request = CompletionRequest(
                        taskID: entry.taskID, points: payload.points, completedAt: payload.completedAt,
                        day: LocalDay(payload.day) ?? LocalDay(Date()), key: payload.key, defaultTarget: defaultTarget)
                    result = try await primary.complete(request)
                case .uncomplete?:
                    let key = (try? JSONDecoder().decode([String: String].self, from: Data(entry.payload.utf8)))?["key"] ?? ""
                    result = try await primary.undo(key: key, taskID: entry.taskID, day: LocalDay(Date()), defaultTarget: defaultTarget)
                case nil:
                    try cache.write { db in
                        try db.execute(sql: "UPDATE tally_outbox SET applied_at = ?, last_error = ? WHERE id = ?",
                                       arguments: [now, "unknown operation \(entry.op); skipped", id])
                    }
                    continue
                }
                try cache.write { db in
                    try SyncEngine.upsert(.tasks, rows: [result.task.databaseValues], db)
                    if result.goal.id != 0 { try SyncEngine.upsert(.goals, rows: [result.goal.databaseValues], db) }
                    try db.execute(sql: "UPDATE tally_outbox SET applied_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                                   arguments: [now, id])
                }
                applied += 1
            } catch {
                let failure = FailureClassifier.classify(error, primary: primary.displayName)
                if failure.type == .conflict || !failure.type.isTransient && failure.type != .auth {
                    // The primary will never take it: record, let the cache follow the primary, go on.
                    recordFailure(failure, taskID: entry.taskID, jobID: jobID)
                    _ = try? cache.write { db in
                        try db.execute(sql: "UPDATE tally_outbox SET applied_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
                                       arguments: [now, failure.message, id])
                    }
                    let day = (try? JSONDecoder().decode(Payload.self, from: Data(entry.payload.utf8)))?.day
                    await follow(primary: primary, taskID: entry.taskID, date: day)
                    continue
                }
                _ = try? cache.write { db in
                    try db.execute(sql: "UPDATE tally_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                                   arguments: [failure.message, id])
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
                try SyncEngine.upsert(.tasks, rows: [remoteTask.databaseValues], db)
            } else {
                try db.execute(sql: "DELETE FROM cached_tasks WHERE id = ?", arguments: [taskID])
            }
            if let remoteGoal { try SyncEngine.upsert(.goals, rows: [remoteGoal.databaseValues], db) }
        }
    }

    func recordFailure(_ failure: ClassifiedFailure, taskID: Int64, jobID: Int64? = nil) {
        var row = SyncFailure(jobID: jobID, at: Timestamp.format(Date()), entity: "tasks", errorType: failure.type,
                              message: failure.message, detail: #"{"task_id":\#(taskID)}"#, attempt: 1)
        _ = try? cache.write { db in try row.insert(db) }
    }
}
