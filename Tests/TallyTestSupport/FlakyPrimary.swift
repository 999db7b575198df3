import Foundation
import GRDB
import Synchronization
import TallyCore

/// Wraps a real primary and injects faults: a primary that is down, or that fails the next few
/// calls with a given kind of error. Everything else passes through to the real store.
public final class FlakyPrimary: PrimaryStore {
    public let base: any PrimaryStore

    private struct State {
        var down = false
        var failures: [ClassifiedFailure] = []
        var calls = 0
        var fetches = 0
        var listed: [Namespace] = []
        var onFetch: (@Sendable (Int) -> Void)?
    }

    private let state = Mutex(State())

    public init(_ base: any PrimaryStore) { self.base = base }

    public var displayName: String { base.displayName }

    public var isDown: Bool {
        get { state.withLock { $0.down } }
        set { state.withLock { $0.down = newValue } }
    }

    public var calls: Int { state.withLock { $0.calls } }

    /// The namespaces whose ids were listed (`allIDs`), in order.
    public var listed: [Namespace] { state.withLock { $0.listed } }

    /// Called before each fetch, with the number of fetches so far (to act mid-sync).
    public var onFetch: (@Sendable (Int) -> Void)? {
        get { state.withLock { $0.onFetch } }
        set { state.withLock { $0.onFetch = newValue } }
    }

    /// The next `count` calls fail with `failure`.
    public func fail(next count: Int, with failure: ClassifiedFailure) {
        state.withLock { $0.failures += Array(repeating: failure, count: count) }
    }

    public static let network = ClassifiedFailure(type: .network, message: "Cannot reach the primary: connection refused.")
    public static let auth = ClassifiedFailure(type: .auth, message: "The primary refused the password for user tally.")

    func gate() throws {
        try state.withLock { state in
            state.calls += 1
            if state.down { throw Self.network }
            if !state.failures.isEmpty { throw state.failures.removeFirst() }
        }
    }

    public func fetch(_ namespace: Namespace, after watermark: Watermark?, limit: Int,
                      order: ReadOrder, scope: ScopeWindow) async throws -> [[DatabaseValue]] {
        let (n, onFetch) = state.withLock { state in
            state.fetches += 1
            return (state.fetches, state.onFetch)
        }
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
        state.withLock { $0.listed.append(namespace) }
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

    public func habit(id: Int64) async throws -> Habit? {
        try gate()
        return try await base.habit(id: id)
    }

    public func habitCompletions(since: String) async throws -> [HabitCompletion] {
        try gate()
        return try await base.habitCompletions(since: since)
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any PrimaryTransaction) async throws -> T) async throws -> T {
        try gate()
        return try await base.transaction(body)
    }

    @discardableResult
    public func initSchema(push: Bool) async throws -> [String] {
        try gate()
        return try await base.initSchema(push: push)
    }

    public func close() async { await base.close() }
}
