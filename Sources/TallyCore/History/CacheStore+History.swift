import Foundation
import GRDB

extension CacheStore {
    /// The history of every day the cache knows about, in one read transaction.
    ///
    /// - Parameters:
    ///   - doneDays: how many days of done tasks the cache keeps (`[scope] done_days`; nil:
    ///     all). Older days come from the history read from the primary (`HistoryStore`) as far
    ///     as it reaches without a gap, else take their goal rows' figures, or show no data.
    public func history(now: Date = Date(), timeZone: TimeZone = .current, defaultTarget: Int = Ledger.defaultTarget,
                        workday: ClosedRange<Double> = 9...18, doneDays: Int? = SyncScope.workos.doneDays) throws -> History {
        let today = LocalDay(now, in: timeZone)
        return try read { db in
            var goals = try DailyGoal.fetchAllRows(db)
            var adjusted: [String: Int] = [:]
            if try db.hasMainTable("tally_day_targets") {
                for row in try Row.fetchAll(db, sql: "SELECT date, adjusted_target_points FROM tally_day_targets") {
                    if let date = row.text("date"), let points = row.int("adjusted_target_points") { adjusted[date] = points }
                }
            }
            var completions: [History.Completion] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT completed_at, points_final, value_tier, points_ai_guess, effort_estimate, client_id
                FROM cached_tasks WHERE status = 'done' AND coalesce(category, 'work') = 'work'
                """)
            while let row = try rows.next() {
                // A done task without a readable completion time belongs to no day.
                guard let at = Timestamp.parse(row.text(at: 0)) else { continue }
                let task = WorkTask(id: 0, title: "", valueTier: row.text(at: 2), effortEstimate: row.int(at: 4),
                                    pointsAIGuess: row.int(at: 3), pointsFinal: row.int(at: 1))
                completions.append(History.Completion(at: at, points: Points.forTask(task), clientID: row.int64(at: 5)))
            }

            // The cache's own done tasks reach back to its scope's cut-off; the backfill, when it
            // reaches that far, carries on from there. A day is covered only when every one of
            // its completions is known, so the day the cut-off falls in starts coverage the day
            // after (and a backfill that no longer meets the cut-off is not used: its gap would
            // read as missed days).
            var coveredFrom = doneDays.map { now.addingTimeInterval(-Double($0) * 86400) }
            if let cutoff = coveredFrom, let coverage = try HistoryStore.coverage(db),
               let from = Timestamp.parse(coverage.from), let through = Timestamp.parse(coverage.through),
               through >= cutoff, from < cutoff {
                completions += try HistoryStore.completions(db)
                coveredFrom = from
            }
            let older = try HistoryStore.goals(db)
            let cachedDates = Set(goals.map(\.date))
            goals += older.goals.filter { !cachedDates.contains($0.date) }
            for (date, points) in older.adjusted where adjusted[date] == nil { adjusted[date] = points }

            let covered = coveredFrom.map { LocalDay($0, in: timeZone).adding(days: 1) }
            return History.build(completions: completions, goals: goals, adjustedTargets: adjusted, today: today,
                                 timeZone: timeZone, defaultTarget: defaultTarget, tasksCoveredFrom: covered,
                                 workday: workday)
        }
    }
}
