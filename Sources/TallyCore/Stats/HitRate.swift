import Foundation
import GRDB

/// Hits over lookups for one namespace and period; nil rate when there were no lookups.
public struct HitRate: Equatable, Sendable {
    public var hits: Int
    public var misses: Int

    public init(hits: Int = 0, misses: Int = 0) {
        self.hits = hits
        self.misses = misses
    }

    public var lookups: Int { hits + misses }
    public var rate: Double? { lookups == 0 ? nil : Double(hits) / Double(lookups) }

    public static func + (lhs: HitRate, rhs: HitRate) -> HitRate {
        HitRate(hits: lhs.hits + rhs.hits, misses: lhs.misses + rhs.misses)
    }
}

/// Hit rates for the cache pane: per namespace and overall, last hour and last 24 hours, and one
/// overall rate per hour for the sparkline (oldest first; nil where nothing was looked up).
public struct HitRateSummary: Equatable, Sendable {
    public var lastHour: [Namespace: HitRate] = [:]
    public var lastDay: [Namespace: HitRate] = [:]
    public var hourly: [Double?] = Array(repeating: nil, count: 24)

    public init() {}

    public var overallHour: HitRate { lastHour.values.reduce(HitRate(), +) }
    public var overallDay: HitRate { lastDay.values.reduce(HitRate(), +) }
}

/// Counts cache lookups in `tally_cache_stats`, per namespace per UTC hour.
///
/// A lookup is one read of a namespace for something a person sees: a view rebuilt after a
/// change, or a CLI command. It is a *hit* when the namespace was fresh, a *miss* when it was
/// empty or stale (the stale data is still shown while a sync is asked for). Poll ticks that
/// find nothing new are not lookups.
public enum CacheStats {
    /// `2026-11-22T14`: the hour bucket of `date` (UTC, so buckets never repeat at DST changes).
    public static func hourBucket(_ date: Date) -> String {
        String(Timestamp.format(date).prefix(13))
    }

    /// Adds counts to this hour's bucket; other programs may add to the same rows.
    public static func record(_ db: Database, _ counts: [Namespace: HitRate], at date: Date) throws {
        let hour = hourBucket(date)
        for (namespace, count) in counts where count.lookups > 0 {
            try db.execute(
                sql: """
                    INSERT INTO tally_cache_stats (namespace, hour, hits, misses) VALUES (?, ?, ?, ?)
                    ON CONFLICT(namespace, hour) DO UPDATE
                      SET hits = hits + excluded.hits, misses = misses + excluded.misses
                    """,
                arguments: [namespace.rawValue, hour, count.hits, count.misses])
        }
    }

    /// Reads the last 24 hours of counters.
    public static func summary(_ db: Database, now: Date) throws -> HitRateSummary {
        var summary = HitRateSummary()
        let thisHour = hourBucket(now)
        let since = hourBucket(now.addingTimeInterval(-23 * 3600))
        var hourlyTotals = Array(repeating: HitRate(), count: 24)
        let rows = try Row.fetchAll(
            db, sql: "SELECT namespace, hour, hits, misses FROM tally_cache_stats WHERE hour >= ? AND hour <= ?",
            arguments: [since, thisHour])
        let nowHourStart = floor(now.timeIntervalSince1970 / 3600)
        for row in rows {
            guard let name = row.text("namespace"), let namespace = Namespace(rawValue: name),
                  let hour = row.text("hour"), let start = Timestamp.parse(hour + ":00:00Z")
            else { continue }
            let count = HitRate(hits: max(0, row.int("hits") ?? 0), misses: max(0, row.int("misses") ?? 0))
            summary.lastDay[namespace, default: HitRate()] = summary.lastDay[namespace, default: HitRate()] + count
            if hour == thisHour {
                summary.lastHour[namespace, default: HitRate()] = summary.lastHour[namespace, default: HitRate()] + count
            }
            let age = Int(nowHourStart - floor(start.timeIntervalSince1970 / 3600))
            if (0..<24).contains(age) { hourlyTotals[23 - age] = hourlyTotals[23 - age] + count }
        }
        summary.hourly = hourlyTotals.map(\.rate)
        return summary
    }
}
