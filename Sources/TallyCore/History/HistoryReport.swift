import Foundation

/// `tally history`: the last days as rows for a person (a table) or a script (JSON).
public enum HistoryReport {
    /// The last `count` days through today, oldest first (days before any data say so).
    public static func days(_ history: History, count: Int) -> [HistoryDay] {
        history.days(from: history.today.adding(days: -(max(1, count) - 1)), through: history.today)
    }

    /// One object per day: `date`, `earned`, `target`, `hit`, `tasks_done`, and where the
    /// figures come from. A day with no data has `earned` and `tasks_done` null.
    public static func json(_ day: HistoryDay) -> [String: Any] {
        [
            "date": day.day.description,
            "earned": day.hasData ? day.earned as Any : NSNull(),
            "target": day.target,
            "target_adjusted": day.targetIsAdjusted,
            "hit": day.isHit,
            "status": day.status.rawValue,
            "tasks_done": day.hasData ? day.tasksDone as Any : NSNull(),
            "goal_row_earned": day.goalRowEarned.map { $0 as Any } ?? NSNull(),
            "source": day.source.rawValue,
        ]
    }

    /// A plain table, a header and one line per day:
    ///
    /// ```
    /// date        day  earned  target  hit  tasks
    /// 2026-11-20  Fri      18      18  yes      6
    /// 2026-11-21  Sat       0      18  no       0
    /// ```
    public static func table(_ days: [HistoryDay]) -> [String] {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        func pad(_ text: String, _ width: Int) -> String {
            String(repeating: " ", count: max(0, width - text.count)) + text
        }
        var lines = ["date        day  earned  target  hit  tasks"]
        for day in days {
            let earned = day.hasData ? String(day.earned) : "—"
            let target = String(day.target) + (day.targetIsAdjusted ? "*" : " ")
            let hit = day.hasData ? (day.isHit ? "yes" : "no ") : "—  "
            let tasks = day.hasData ? String(day.tasksDone) : "—"
            lines.append("\(day.day)  \(names[day.day.weekdayFromMonday])  \(pad(earned, 6))  \(pad(target, 7)) \(hit)  \(pad(tasks, 5))")
        }
        return lines
    }
}
