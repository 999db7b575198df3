import Foundation
import GRDB
import Synchronization

/// Counts cache lookups as hits and misses, for the dashboard, the command line and `tally mcp`
/// alike (docs/ARCHITECTURE.md, "Cache hit rate").
///
/// A lookup is one read of a namespace for something a person sees: a hit while the namespace
/// is fresh, a miss when it is empty or stale (`Freshness`, the one staleness rule). Counts are
/// kept in memory and written to `tally_cache_stats` at most once a `flushInterval` (every write
/// wakes every watcher of the cache), when forced, and never while another program is writing
/// (the next flush tries again). A read-only cache records nothing.
public final class LookupRecorder: Sendable {
    public let cache: CacheStore
    public let staleAfter: [Namespace: Double]
    public let flushInterval: TimeInterval

    private struct State {
        var counts: [Namespace: HitRate] = [:]
        var lastFlush = Date.distantPast
    }

    private let state = Mutex(State())

    public init(cache: CacheStore, staleAfter: [Namespace: Double], flushInterval: TimeInterval = 60) {
        self.cache = cache
        self.staleAfter = staleAfter
        self.flushInterval = flushInterval
    }

    /// A read-only cache records nothing.
    public var isCounting: Bool { !cache.isReadOnly }

    /// What has not been written yet.
    public var unwritten: [Namespace: HitRate] { state.withLock { $0.counts } }

    /// Adds counts worked out by the caller.
    public func add(_ counts: [Namespace: HitRate]) {
        guard isCounting, !counts.isEmpty else { return }
        state.withLock { state in state.counts.merge(counts, uniquingKeysWith: +) }
    }

    /// Counts one lookup of each of `namespaces` as `snapshot` shows them; returns true when one
    /// of them missed (the caller may ask for a sync).
    @discardableResult
    public func record(_ namespaces: [Namespace], snapshot: Snapshot, now: Date = Date()) -> Bool {
        let counts = Freshness.lookups(namespaces, snapshot: snapshot, staleAfter: staleAfter, now: now)
        add(counts)
        return counts.values.contains { $0.misses > 0 }
    }

    /// Counts one lookup of each of `namespaces` as the cache holds them now (one read: the last
    /// syncs and whether each table is empty); returns true when one of them missed.
    @discardableResult
    public func record(_ namespaces: [Namespace], now: Date = Date()) async -> Bool {
        guard isCounting, !namespaces.isEmpty else { return false }
        let staleAfter = self.staleAfter
        guard let missed = try? await cache.read({ db in try Self.missing(namespaces, staleAfter: staleAfter, now: now, db) }) else {
            return false
        }
        var counts: [Namespace: HitRate] = [:]
        for namespace in namespaces {
            counts[namespace, default: HitRate()] = counts[namespace, default: HitRate()]
                + (missed.contains(namespace) ? HitRate(misses: 1) : HitRate(hits: 1))
        }
        add(counts)
        return !missed.isEmpty
    }

    /// Which of `namespaces` are empty or stale now.
    static func missing(_ namespaces: [Namespace], staleAfter: [Namespace: Double], now: Date, _ db: Database) throws -> Set<Namespace> {
        let stale = Set(Freshness.staleNamespaces(lastSyncs: try CacheMeta.lastSyncs(db).byNamespace, staleAfter: staleAfter, now: now))
        var missed = Set<Namespace>()
        for namespace in namespaces {
            let empty = try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(namespace.cacheTable))") ?? true
            if stale.contains(namespace) || empty { missed.insert(namespace) }
        }
        return missed
    }

    /// The counts to write now, taken out (nil: nothing, or not yet due).
    private func take(force: Bool, now: Date) -> [Namespace: HitRate]? {
        guard isCounting else { return nil }
        if !force, cache.courtesy.isOtherWriterActive { return nil }
        return state.withLock { state in
            guard force || now.timeIntervalSince(state.lastFlush) >= flushInterval, !state.counts.isEmpty else { return nil }
            defer {
                state.counts = [:]
                state.lastFlush = now
            }
            return state.counts
        }
    }

    private func putBack(_ counts: [Namespace: HitRate]) {
        state.withLock { state in state.counts.merge(counts, uniquingKeysWith: +) }
    }

    /// Writes the counts gathered so far (with `force`, now; otherwise once due), suspending
    /// while another program writes.
    public func flush(force: Bool, now: Date = Date()) async {
        guard let counts = take(force: force, now: now) else { return }
        do {
            guard try await cache.read({ db in try db.hasMainTable(SyncJob.databaseTableName) }) else { return }
            try await cache.write { db in try CacheStats.record(db, counts, at: now) }
        } catch {
            putBack(counts)
        }
    }

    /// `flush` on the calling thread, for the dashboard's loop: it never waits for another
    /// program (a busy file leaves the counts for the next tick). True when counts were written.
    @discardableResult
    public func flushNow(force: Bool, now: Date = Date()) -> Bool {
        guard let counts = take(force: force, now: now) else { return false }
        do {
            guard try cache.hasTallyTables() else { return false }
            try cache.writeNow { db in try CacheStats.record(db, counts, at: now) }
            return true
        } catch {
            putBack(counts)
            return false
        }
    }
}
