import Foundation
import GRDB
import Logging
import Synchronization

/// What became of a write.
public enum WriteState: Sendable, Equatable {
    /// The primary took it; the cache holds the primary's rows.
    case applied
    /// The primary could not be reached: the cache shows it, the outbox keeps it for replay.
    case queued(reason: String)
    /// Nothing needed writing (the primary already held it): not recorded, not undoable.
    case unchanged
}

/// A write as the pipeline carried it out, with its result.
public struct WriteReceipt<W: Write>: Sendable {
    /// The write as applied (with its real id, the state before) or as shown while queued.
    public var write: W
    public var result: W.Result
    public var state: WriteState
    /// Set when the primary took the write but the cache could not be written: the write
    /// stands, and the cache catches up at the next sync.
    public var cacheBehind: String?

    public init(write: W, result: W.Result, state: WriteState, cacheBehind: String? = nil) {
        self.write = write
        self.result = result
        self.state = state
        self.cacheBehind = cacheBehind
    }

    public var isQueued: Bool {
        if case .queued = state { return true }
        return false
    }

    /// One line for a person.
    public var message: String {
        if case .queued(let reason) = state { return write.describe(result, queued: reason) }
        return write.describe(result, queued: nil)
    }
}

/// A write's outcome as the dashboard shows it: one line, how to show it, and whether `u` can
/// take it back.
public struct WriteReport: Sendable, Equatable {
    public enum Tone: Sendable, Equatable { case success, info, error }

    public var subject: WriteSubject
    public var message: String
    public var tone: Tone
    public var undoable: Bool
    /// A task the write created (its id on the primary, or the local one while queued).
    public var createdTaskID: Int64?

    public init(subject: WriteSubject, message: String, tone: Tone, undoable: Bool = false, createdTaskID: Int64? = nil) {
        self.subject = subject
        self.message = message
        self.tone = tone
        self.undoable = undoable
        self.createdTaskID = createdTaskID
    }
}

/// The one way every change to a person's data goes (docs/ARCHITECTURE.md, "The write
/// pipeline"): decide it (`WriteIntent`), write it to the primary in one transaction (a replay
/// lands once), then to the cache in one transaction with its outbox record; show it pending
/// meanwhile; queue it in the outbox while the primary is away, behind any write already
/// queued; replay the outbox in order on the next sync; undo the last one within
/// `undoWindow`; report a conflict in one line, with the cache following the primary.
///
/// One per process (the dashboard, a command, `tally mcp`); shared state (writes in flight, the
/// last undo point) sits in a `Mutex`, read without waiting from the dashboard's thread.
public final class WritePipeline: Sendable {
    /// Seconds after a write that `u` may undo it.
    public static let undoWindow: TimeInterval = 10

    public let workspace: Workspace
    public let context: WriteContext
    let logger = Logger(label: "tally.writes")
    let state = Mutex(State())

    struct State {
        /// Subjects with a write in flight, counted (two writes may share one).
        var inFlight: [WriteSubject: Int] = [:]
        /// The last undo point: the writes `u` takes back together, and when they were made.
        var undo: (writes: [UndoEntry], at: Date)?
    }

    /// A write `u` may take back: its key (to find its outbox entry as it stands) and the write as
    /// carried out (used when the cache could not record it).
    struct UndoEntry: Sendable {
        var key: String
        var write: any Write
    }

    public init(workspace: Workspace, clock: any TallyClock = SystemClock(), timeZone: TimeZone = .current) {
        self.workspace = workspace
        context = WriteContext(workspace: workspace, clock: clock, timeZone: timeZone)
    }

    var cache: CacheStore { workspace.cache }
    var clock: any TallyClock { context.clock }

    /// Why nothing can be written here, if so (a read-only cache, no primary).
    public var refusal: TallyError? {
        if cache.isReadOnly { return .cacheReadOnly(cache.path) }
        if workspace.primary == nil { return .noPrimary }
        return nil
    }

    // MARK: Pending marks

    /// Tasks with a write in flight in this process (the outbox adds its own in the snapshot).
    public var pendingTaskIDs: Set<Int64> { pending(.task) }

    /// Habits with a write in flight in this process.
    public var pendingHabitIDs: Set<Int64> { pending(.habit) }

    private func pending(_ entity: WriteEntity) -> Set<Int64> {
        state.withLock { state in Set(state.inFlight.keys.filter { $0.entity == entity }.flatMap(\.ids)) }
    }

    /// Marks `subject` pending; false when a write to it is already in flight.
    public func begin(_ subject: WriteSubject) -> Bool {
        state.withLock { state in
            if !subject.ids.isEmpty, state.inFlight.keys.contains(where: { $0.entity == subject.entity && !Set($0.ids).isDisjoint(with: subject.ids) }) {
                return false
            }
            state.inFlight[subject, default: 0] += 1
            return true
        }
    }

    public func end(_ subject: WriteSubject) {
        state.withLock { state in
            guard let count = state.inFlight[subject] else { return }
            state.inFlight[subject] = count > 1 ? count - 1 : nil
        }
    }

    // MARK: Performing

    /// Decides `intent` and carries the write out; nil when there was nothing to write.
    ///
    /// - Throws: a `WriteDeclined` (the habit is done today already), `TallyError.conflict` when
    ///   the primary holds something else (the cache then follows the primary), and the
    ///   primary's error when it is reachable but refuses (auth, schema).
    public func perform<I: WriteIntent>(_ intent: I) async throws -> WriteReceipt<I.Made>? {
        if let refusal { throw refusal }
        guard let write = try await intent.make(context) else { return nil }
        return try await perform(write)
    }

    /// Carries a decided write out: the primary first, then the cache; queued while the primary
    /// is away or earlier writes wait.
    public func perform<W: Write>(_ write: W) async throws -> WriteReceipt<W> {
        let receipt = try await carryOut(write)
        if receipt.state != .unchanged { remember([UndoEntry(key: receipt.write.key, write: receipt.write)]) }
        return receipt
    }

    func carryOut<W: Write>(_ write: W) async throws -> WriteReceipt<W> {
        if let refusal { throw refusal }
        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        let name = primary.displayName
        // Earlier writes still queued: keep their order, queue behind them.
        if try await cache.read({ db in try OutboxStore.pendingCount(db) }) > 0 {
            return try await queue(write, reason: "earlier writes are waiting for the primary")
        }
        let applied: W
        let result: W.Result
        do {
            (applied, result) = try await apply(write, on: primary)
        } catch {
            let failure = FailureClassifier.classify(error, primary: name)
            if failure.type.isTransient { return try await queue(write, reason: failure.message) }
            await recordFailure(failure, write.subject)
            if failure.type == .conflict {
                await follow(write.subject)
                throw TallyError.conflict(failure.message)
            }
            throw failure
        }
        let changed = applied.changed(result)
        let now = Timestamp.format(clock.now)
        do {
            try await cache.write { db in
                try applied.record(result, in: db)
                if changed {
                    var entry = OutboxEntry(applied, createdAt: now)
                    entry.appliedAt = now
                    entry.attempts = 1
                    try OutboxStore.insert(entry, db)
                }
            }
        } catch {
            // The primary has it: that stands. The next sync brings the cache up to date.
            logger.warning("the primary took a write the cache could not record", metadata: [
                "kind": "\(W.kind)", "error": "\(error.userMessage)"])
            return WriteReceipt(write: applied, result: result, state: changed ? .applied : .unchanged,
                                cacheBehind: "the cache could not be written (\(error.userMessage)); it catches up at the next sync")
        }
        if changed { logger.info("\(W.kind) \(write.subject.entity) \(write.subject.ids)") }
        return WriteReceipt(write: applied, result: result, state: changed ? .applied : .unchanged)
    }

    /// Shows a write in the cache and keeps it in the outbox, in one transaction.
    func queue<W: Write>(_ write: W, reason: String) async throws -> WriteReceipt<W> {
        let now = Timestamp.format(clock.now)
        let (shown, result) = try await cache.write { db -> (W, W.Result) in
            let (shown, result) = try write.show(in: db)
            var entry = OutboxEntry(shown, createdAt: now)
            entry.lastError = reason
            try OutboxStore.insert(entry, db)
            return (shown, result)
        }
        logger.notice("write queued", metadata: ["kind": "\(W.kind)", "reason": "\(reason)"])
        return WriteReceipt(write: shown, result: result, state: .queued(reason: reason))
    }

    // MARK: After a failure

    /// Makes the cache hold the primary's version of what a write was about (after a conflict).
    func follow(_ subject: WriteSubject) async {
        guard let primary = workspace.primary else { return }
        switch subject.entity {
        case .task:
            var found: [Int64: WorkTask?] = [:]
            for id in subject.ids where id > 0 { found[id] = try? await primary.task(id: id) }
            let goal = subject.day == nil ? nil : try? await primary.goal(date: subject.day ?? "")
            let tasks = found
            _ = try? await cache.write { db in
                for (id, task) in tasks {
                    if let task { try CacheRows.upsert(task, db) } else { try CacheRows.remove(.tasks, ids: [id], db) }
                }
                try CacheRows.upsert(goal, db)
            }
        case .habit:
            var found: [Int64: Habit?] = [:]
            for id in subject.ids { found[id] = try? await primary.habit(id: id) }
            let habits = found
            _ = try? await cache.write { db in
                for (id, habit) in habits {
                    if var habit {
                        habit.lastCompletedDate = nil
                        try CacheRows.upsert(habit, db)
                    } else {
                        try CacheRows.remove(.habits, ids: [id], db)
                    }
                }
            }
        default:
            // Kinds of rows the cache holds in Tally's own tables: the next sync brings them.
            return
        }
    }

    /// A failure row for the failures view: the entity as the sync names it, the row's id.
    /// `write` in one transaction on the primary; once more at once when it failed only because
    /// the column types in use came from the cache's kept copy and a migration has since
    /// dropped or renamed one (`KeptSchema`): the failed transaction took nothing, and the
    /// second one is written for the columns read anew. A write is never refused, or a queued
    /// one given up, for a copy's age.
    func apply<W: Write>(_ write: W, on primary: any PrimaryStore) async throws -> (W, W.Result) {
        do {
            return try await primary.transaction { tx in try await write.apply(to: tx) }
        } catch {
            guard FailureClassifier.classify(error, primary: primary.displayName).type == .schema,
                  await primary.takeStaleKeptSchema() else { throw error }
            return try await primary.transaction { tx in try await write.apply(to: tx) }
        }
    }

    func recordFailure(_ failure: ClassifiedFailure, _ subject: WriteSubject, jobID: Int64? = nil) async {
        let entity = subject.entity == .task ? "tasks" : subject.entity == .habit ? "habits" : subject.entity.rawValue
        let row = SyncFailure(jobID: jobID, at: Timestamp.format(clock.now), entity: entity, errorType: failure.type,
                              message: failure.message, detail: #"{"\#(subject.entity)_id":\#(subject.id)}"#, attempt: 1)
        _ = try? await cache.write { db in try CacheRows.record(row, db) }
    }

    // MARK: Undo points

    /// Makes `writes` the undo point `u` takes back (replacing the one before).
    func remember(_ writes: [UndoEntry], at time: Date? = nil) {
        let now = time ?? clock.now
        state.withLock { $0.undo = (writes, now) }
    }

    /// The undo point, forgotten once taken (`u` takes a write back once).
    func takeUndoPoint() -> (writes: [UndoEntry], at: Date)? {
        state.withLock { state in
            defer { state.undo = nil }
            return state.undo
        }
    }
}
