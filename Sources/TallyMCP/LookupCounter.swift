import Foundation
import GRDB
import TallyCore

/// Counts the server's reads as cache lookups, as the dashboard counts its own: each tool call
/// is one lookup of each namespace it reads, a hit when that namespace was fresh, a miss when it
/// was empty or stale. The counts go to `tally_cache_stats` at most once a minute (every write
/// wakes every watcher of the cache) and when the server stops.
final class LookupCounter: @unchecked Sendable {
    private let cache: CacheStore
    private let staleAfter: [Namespace: Double]
    private let lock = NSLock()
    // Guarded by `lock`.
    private var counts: [Namespace: HitRate] = [:]
    private var lastFlush = Date.distantPast

    init(cache: CacheStore, staleAfter: [Namespace: Double]) {
        self.cache = cache
        self.staleAfter = staleAfter
    }

    /// A read-only cache, or one without Tally's tables, records nothing.
    var isCounting: Bool { !cache.isReadOnly }

    /// Which of `namespaces` are empty or stale now.
    func missing(_ namespaces: [Namespace], now: Date) throws -> Set<Namespace> {
        try cache.read { db in
            let syncs = try CacheMeta.lastSyncs(db).byNamespace
            var missed = Set<Namespace>()
            for namespace in namespaces {
                let stale = syncs[namespace].map { now.timeIntervalSince($0) > (staleAfter[namespace] ?? 900) } ?? true
                let empty = try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM \(namespace.cacheTable))") ?? true
                if stale || empty { missed.insert(namespace) }
            }
            return missed
        }
    }

    /// Counts one lookup of each of `namespaces`; returns true when one of them missed.
    @discardableResult
    func record(_ namespaces: [Namespace], now: Date = Date()) -> Bool {
        guard isCounting, !namespaces.isEmpty, let missed = try? missing(namespaces, now: now) else { return false }
        lock.withLock {
            for namespace in namespaces {
                if missed.contains(namespace) {
                    counts[namespace, default: HitRate()].misses += 1
                } else {
                    counts[namespace, default: HitRate()].hits += 1
                }
            }
        }
        return !missed.isEmpty
    }

    /// Writes the counts gathered so far: with `force`, now; otherwise once a minute, and not
    /// while another program writes the cache (the next call tries again).
    func flush(force: Bool, now: Date = Date()) {
        guard isCounting else { return }
        if !force, cache.courtesy.isOtherWriterActive { return }
        let pending: [Namespace: HitRate] = lock.withLock {
            guard force || now.timeIntervalSince(lastFlush) >= 60 else { return [:] }
            defer { counts = [:]; lastFlush = now }
            return counts
        }
        guard !pending.isEmpty else { return }
        do {
            guard try cache.hasTallyTables() else { return }
            try cache.write { db in try CacheStats.record(db, pending, at: now) }
        } catch {
            // Kept for the next flush.
            lock.withLock {
                for (namespace, count) in pending {
                    counts[namespace, default: HitRate()].hits += count.hits
                    counts[namespace, default: HitRate()].misses += count.misses
                }
            }
        }
    }

    /// What has not been written yet (for tests).
    var unwritten: [Namespace: HitRate] { lock.withLock { counts } }
}
