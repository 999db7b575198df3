import Foundation
import GRDB
import TallyCore

/// Wraps a real primary and injects faults: a primary that is down, or that fails the next few
/// calls with a given kind of error. Everything else passes through to the real store.
public final class FlakyPrimary: PrimaryStore, @unchecked Sendable {
    public let base: any PrimaryStore
    private let lock = NSLock()
    private var _down = false
    private var _failures: [ClassifiedFailure] = []
    private var _calls = 0
    /// Called before each fetch, with the number of fetches so far (to act mid-sync).
    public var onFetch: (@Sendable (Int) -> Void)?

    public init(_ base: any PrimaryStore) { self.base = base }

    public var displayName: String { base.displayName }

    public var isDown: Bool {
        get { lock.withLock { _down } }
        set { lock.withLock { _down = newValue } }
    }

    public var calls: Int { lock.withLock { _calls } }

    /// The next `count` calls fail with `failure`.
    public func fail(next count: Int, with failure: ClassifiedFailure) {
        lock.withLock { _failures += Array(repeating: failure, count: count) }
    }

    public static let network = ClassifiedFailure(type: .network, message: "Cannot reach the primary: connection refused.")
    public static let auth = ClassifiedFailure(type: .auth, message: "The primary refused the password for user tally.")

    func gate() throws {
        try lock.withLock {
            _calls += 1
            if _down { throw Self.network }
            if !_failures.isEmpty { throw _failures.removeFirst() }
        }
    }

    private var fetches = 0

    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int,
                      order: ReadOrder, scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        let n = lock.withLock { fetches += 1; return fetches }
        onFetch?(n)
        try gate()
        return try await base.fetch(namespace, after: watermark, limit: limit, order: order, scope: scope)
    }

    public func count(_ namespace: Namespace, after watermark: Watermark?, order: ReadOrder, scope: ScopeWindow) async throws -> Int {
        try gate()
        return try await base.count(namespace, after: watermark, order: order, scope: scope)
    }

    public func latestChange(_ namespace: Namespace) async throws -> Watermark? {
        try gate()
        return try await base.latestChange(namespace)
    }

    public func idDigest(_ namespace: Namespace, scope: ScopeWindow) async throws -> IDDigest {
        try gate()
        return try await base.idDigest(namespace, scope: scope)
    }

    public func allIDs(_ namespace: Namespace, scope: ScopeWindow) async throws -> [Int64] {
        try gate()
        return try await base.allIDs(namespace, scope: scope)
    }

    public func presentIDs(_ namespace: Namespace, among ids: [Int64], scope: ScopeWindow) async throws -> Set<Int64> {
        try gate()
        return try await base.presentIDs(namespace, among: ids, scope: scope)
    }

    public func adjustedTargets(since: String) async throws -> [String: Int] {
        try gate()
        return try await base.adjustedTargets(since: since)
    }

    public func doneWork(from: String, before: String) async throws -> [DoneWork] {
        try gate()
        return try await base.doneWork(from: from, before: before)
    }

    public func goals(since: String) async throws -> [DailyGoal] {
        try gate()
        return try await base.goals(since: since)
    }

    public func task(id: Int64) async throws -> WorkTask? {
        try gate()
        return try await base.task(id: id)
    }

    public func goal(date: String) async throws -> DailyGoal? {
        try gate()
        return try await base.goal(date: date)
    }

    public func complete(_ request: CompletionRequest) async throws -> CompletionResult {
        try gate()
        return try await base.complete(request)
    }

    public func create(_ task: WorkTask, keepID: Bool) async throws -> WorkTask {
        try gate()
        return try await base.create(task, keepID: keepID)
    }

    public func update(_ changes: [TaskChange]) async throws -> [WorkTask] {
        try gate()
        return try await base.update(changes)
    }

    public func delete(taskID: Int64) async throws -> WorkTask? {
        try gate()
        return try await base.delete(taskID: taskID)
    }

    public func habit(id: Int64) async throws -> Habit? {
        try gate()
        return try await base.habit(id: id)
    }

    public func habitCompletions(since: String) async throws -> [HabitCompletion] {
        try gate()
        return try await base.habitCompletions(since: since)
    }

    public func checkIn(_ request: HabitCheckInRequest) async throws -> HabitCheckInResult {
        try gate()
        return try await base.checkIn(request)
    }

    public func undoCheckIn(_ request: HabitUndoRequest) async throws -> HabitCheckInResult {
        try gate()
        return try await base.undoCheckIn(request)
    }

    public func undo(_ request: UndoRequest) async throws -> CompletionResult {
        try gate()
        return try await base.undo(request)
    }

    @discardableResult
    public func initSchema(push: Bool) async throws -> [String] {
        try gate()
        return try await base.initSchema(push: push)
    }

    public func close() async { await base.close() }
}
