import Foundation
import GRDB

/// Overriding today's energy by hand (`life_override_energy_suggestion`): an `energy_states` row
/// (source `manual`, note `OVERRIDE: <reason>`), which becomes today's energy, and, unless asked
/// not to, today's target adjusted from the readiness WorkOS maps the level to (high 90, medium
/// 77, low 60), in one transaction.
///
/// The day keeps the level the person gave (WorkOS stores the level readiness 60 maps to,
/// medium, for a low override). When the database has no energy columns on its goal rows (an
/// older WorkOS), the reading is logged and the adjustment reported as failed, as WorkOS does.
/// A replay finds the reading by its values (`recorded_at` among them), and the day holding the
/// adjustment, and writes nothing. Undo removes the reading and puts the day's adjustment back.
public struct OverrideEnergy: Write {
    public static let kind = "energy.override"

    public var key: String
    public var row: LoggedRow
    public var level: EnergyLevel
    public var reason: String
    /// Nil when the day's goal is left alone.
    public var day: DayTargetChange?
    /// The readiness the level stands for, and the adjustment's figures, for the answer.
    public var mappedReadiness: Int?
    public var originalTarget: Int?
    public var adjustmentPercentage: Int?

    public struct Result: Sendable, Equatable {
        public var entry: PrimaryRow
        public var day: DayOutcome?
        /// Why the day could not be adjusted (an older WorkOS), when it could not.
        public var dayRefused: String?
        public var wrote: Bool
    }

    /// WorkOS's readiness for a level given by hand.
    public static func readiness(for level: EnergyLevel) -> Int {
        switch level {
        case .high: return 90
        case .medium: return 77
        case .low: return 60
        }
    }

    public var subject: WriteSubject { WriteSubject(.energy, row.shownID.map { [$0] } ?? []) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (OverrideEnergy, Result) {
        let (applied, entry, wrote) = try await row.apply(to: tx, doing: "log an energy override")
        var write = self
        write.row = applied
        var result = Result(entry: entry, day: nil, dayRefused: nil, wrote: wrote)
        if let day {
            do {
                let (dayApplied, outcome) = try await day.apply(to: tx, doing: "adjust the day's goal")
                write.day = dayApplied
                result.day = outcome
                result.wrote = result.wrote || outcome.wrote
            } catch let older as OlderWorkOS {
                // Checked before anything was written for the day: the reading stands alone.
                write.day = nil
                result.dayRefused = older.userMessage
            }
        }
        return (write, result)
    }

    public func record(_ result: Result, in db: Database) throws {
        try row.record(result.entry, in: db)
        if let outcome = result.day { try day?.record(outcome, in: db) }
    }

    public func show(in db: Database) throws -> (OverrideEnergy, Result) {
        let (shown, entry) = try row.show(in: db)
        var write = self
        write.row = shown
        var result = Result(entry: entry, day: nil, dayRefused: nil, wrote: true)
        if let day {
            let (dayShown, outcome) = try day.show(in: db)
            write.day = dayShown
            result.day = outcome
        }
        return (write, result)
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        RemoveEntry(key: key, row: row, what: "energy override", day: day?.reversed(at: at))
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        let line = "energy set to \(level.rawValue)" + (result.day?.adjustment.adjustedTarget.map { " · today's target \($0)" } ?? "")
        return queued.map { "\(line), queued: \($0)" } ?? line
    }
}

extension OverrideEnergy {
    /// What a person asks: today's energy is `level`, because `reason`; with `adjustDailyGoal`,
    /// today's target follows.
    public struct Intent: WriteIntent {
        public var level: EnergyLevel
        public var reason: String
        public var adjustDailyGoal: Bool

        public init(level: EnergyLevel, reason: String, adjustDailyGoal: Bool = true) {
            self.level = level
            self.reason = reason
            self.adjustDailyGoal = adjustDailyGoal
        }

        public var subject: WriteSubject { WriteSubject(.energy, []) }

        public func make(_ context: WriteContext) async throws -> OverrideEnergy? {
            let reason = try LifeText.required(reason, name: "reason", max: 500)
            try await context.requirePrimaryTable(.energyStates, doing: "log an energy override")
            let values: [String: DatabaseValue] = [
                "level": level.rawValue.databaseValue, "source": "manual".databaseValue,
                "note": "OVERRIDE: \(reason)".databaseValue, "recorded_at": context.stamp.databaseValue,
            ]
            var write = OverrideEnergy(key: WriteContext.newKey(),
                                       row: LoggedRow(table: .energyStates, values: values, identity: values.keys.sorted()),
                                       level: level, reason: reason)
            if adjustDailyGoal {
                let readiness = OverrideEnergy.readiness(for: level)
                let adjustment = GoalAdjustment(readiness: readiness, sleep: nil, base: context.config.targetPoints)
                write.day = DayTargetChange(date: context.today.description, baseTarget: adjustment.originalTarget,
                                            set: DayAdjustment(adjustment, level: level), at: context.stamp)
                write.mappedReadiness = readiness
                write.originalTarget = adjustment.originalTarget
                write.adjustmentPercentage = adjustment.adjustmentPercentage
            }
            return write
        }
    }
}
