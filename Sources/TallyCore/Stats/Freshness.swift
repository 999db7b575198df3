import Foundation

/// When cached data is stale, and counting lookups as hits or misses: one rule for the refresh
/// timer, `tally status`, the dashboard and the command line.
public enum Freshness {
    /// Seconds a namespace stays fresh when the config sets nothing for it.
    public static let defaultStaleAfter: TimeInterval = 900

    /// When a namespace last synced at `last` goes stale (never synced: already).
    public static func staleFrom(_ last: Date?, _ namespace: Namespace, staleAfter: [Namespace: Double]) -> Date {
        last.map { $0.addingTimeInterval(staleAfter[namespace] ?? defaultStaleAfter) } ?? .distantPast
    }

    /// The namespaces older than their `staleAfter` (never synced is stale).
    public static func staleNamespaces(lastSyncs: [Namespace: Date], staleAfter: [Namespace: Double], now: Date) -> [Namespace] {
        Namespace.allCases.filter { namespace in
            guard let last = lastSyncs[namespace] else { return true }
            return now.timeIntervalSince(last) > (staleAfter[namespace] ?? defaultStaleAfter)
        }
    }

    /// A lookup per namespace read for something a person sees: a hit while fresh, a miss when
    /// empty or stale.
    public static func lookups(_ namespaces: [Namespace], snapshot: Snapshot, staleAfter: [Namespace: Double],
                               now: Date) -> [Namespace: HitRate] {
        let stale = Set(staleNamespaces(lastSyncs: snapshot.lastSync, staleAfter: staleAfter, now: now))
        var counts: [Namespace: HitRate] = [:]
        for namespace in namespaces {
            let empty = (snapshot.rowCounts[namespace] ?? 0) == 0
            counts[namespace] = (counts[namespace] ?? HitRate()) + ((stale.contains(namespace) || empty) ? HitRate(misses: 1) : HitRate(hits: 1))
        }
        return counts
    }
}
