import Foundation
import GRDB

extension CacheStore {
    /// The history of every day the cache knows about, in one read transaction.
    ///
    /// - Parameters:
    ///   - doneDays: how many days of done tasks the cache keeps (`[scope] done_days`; nil:
    ///     all). Older days take their goal rows' figures, or show no data.
    public func history(now: Date = Date(), timeZone: TimeZone = .current, defaultTarget: Int = Ledger.defaultTarget,
                        workday: ClosedRange<Double> = 9...18, doneDays: Int? = SyncScope.workos.doneDays) throws -> History {
        let today = LocalDay(now, in: timeZone)
        // The day the scope's cut-off falls in is kept only in part: coverage starts the day after.
        let covered = doneDays.map { LocalDay(now.addingTimeInterval(-Double($0) * 86400), in: timeZone).adding(days: 1) }
        return try read { db in
            let goals = try DailyGoal.fetchAllRows(db)
            var adjusted: [String: Int] = [:]
            if try db.tableExists("tally_day_targets") {
                for row in try Row.fetchAll(db, sql: "SELECT date, adjusted_target_points FROM tally_day_targets") {
                    if let date = row.text("date"), let points = row.int("adjusted_target_points") { adjusted[date] = points }
                }
            }
            var completions: [History.Completion] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT completed_at, points_final, value_tier, points_ai_guess, effort_estimate, client_id
                FROM cached_tasks WHERE status = 'done' AND coalesce(category, 'work') = 'work'
                """)
            // Columns by position: tens of thousands of rows, and a look-up by name costs more than the read.
            func int(_ row: Row, _ index: Int) -> Int64? {
                switch (row[index] as DatabaseValue).storage {
                case .int64(let v): return v
                case .double(let v): return v.isFinite && abs(v) < 9e15 ? Int64(v) : nil
                case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
                default: return nil
                }
            }
            func text(_ row: Row, _ index: Int) -> String? {
                switch (row[index] as DatabaseValue).storage {
                case .string(let s): return s
                case .blob(let data): return String(decoding: data, as: UTF8.self)
                default: return nil
                }
            }
            while let row = try rows.next() {
                // A done task without a readable completion time belongs to no day.
                guard let at = Timestamp.parse(text(row, 0)) else { continue }
                let task = WorkTask(id: 0, title: "", valueTier: text(row, 2), effortEstimate: int(row, 4).map { Int($0) },
                                    pointsAIGuess: int(row, 3).map { Int($0) }, pointsFinal: int(row, 1).map { Int($0) })
                completions.append(History.Completion(at: at, points: Points.forTask(task), clientID: int(row, 5)))
            }
            return History.build(completions: completions, goals: goals, adjustedTargets: adjusted, today: today,
                                 timeZone: timeZone, defaultTarget: defaultTarget, tasksCoveredFrom: covered,
                                 workday: workday)
        }
    }
}
