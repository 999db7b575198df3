import Foundation
import GRDB

/// Adjusting today's point target to today's readiness (`workos_adjust_daily_goal`), by WorkOS's
/// rule (`GoalAdjustment`): the day's goal row gets the adjusted target, the readiness, the level
/// and the reason (`DayTargetChange`), and the header and today's figures show the new target.
///
/// A replay finds the day already holding this adjustment and writes nothing. Undo puts back the
/// adjustment the day had before, unless it was changed again since.
public struct AdjustDailyGoal: Write {
    public static let kind = "goal.adjust"

    public var key: String
    public var change: DayTargetChange
    /// What the answer reports: the target before adjusting, the percentage, and the energy it
    /// was reckoned from.
    public var originalTarget: Int
    public var adjustmentPercentage: Int
    public var sleepScore: Int?
    public var source: String?
    /// True for the undo of an adjustment (which has no undo itself).
    public var undoing: Bool?

    public typealias Result = DayOutcome

    public var subject: WriteSubject { WriteSubject(.day, [], day: change.date) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (AdjustDailyGoal, Result) {
        let (applied, outcome) = try await change.apply(to: tx, doing: "adjust the day's goal")
        var write = self
        write.change = applied
        return (write, outcome)
    }

    public func record(_ result: Result, in db: Database) throws {
        try change.record(result, in: db)
    }

    public func show(in db: Database) throws -> (AdjustDailyGoal, Result) {
        let (shown, outcome) = try change.show(in: db)
        var write = self
        write.change = shown
        return (write, outcome)
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        guard undoing != true, let reversed = change.reversed(at: at) else { return nil }
        var undo = self
        undo.key = key
        undo.change = reversed
        undo.undoing = true
        return undo
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        if undoing == true { return describeUndo(result, queued: queued) }
        let target = change.set.adjustedTarget ?? change.baseTarget
        let line = "today's target \(target) (\(adjustmentPercentage >= 0 ? "+" : "")\(adjustmentPercentage)%)"
        return queued.map { "\(line), queued: \($0)" } ?? line
    }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: today's target" : "↶ undo queued"
    }
}

extension AdjustDailyGoal {
    /// What a person asks: today's target adjusted to today's readiness, from `baseTarget`
    /// (nil: the configured target).
    public struct Intent: WriteIntent {
        public var baseTarget: Int?

        public init(baseTarget: Int? = nil) { self.baseTarget = baseTarget }

        public var subject: WriteSubject { WriteSubject(.day, []) }

        /// The readiness is today's (the reading logged today, else the Oura cache's); without
        /// one the target stays the base, as in WorkOS.
        public func make(_ context: WriteContext) async throws -> AdjustDailyGoal? {
            let base = baseTarget ?? context.config.targetPoints
            guard (1...1000).contains(base) else { throw TallyError.badArgument("baseTarget must be from 1 to 1000, got \(base).") }
            let energy = try await context.energyToday()
            let adjustment = GoalAdjustment(readiness: energy.readinessScore, sleep: energy.sleepScore, base: base)
            let change = DayTargetChange(date: context.today.description, baseTarget: base, set: DayAdjustment(adjustment),
                                         at: context.stamp)
            return AdjustDailyGoal(key: WriteContext.newKey(), change: change, originalTarget: adjustment.originalTarget,
                                   adjustmentPercentage: adjustment.adjustmentPercentage, sleepScore: adjustment.sleepScore,
                                   source: energy.source.rawValue, undoing: nil)
        }
    }
}

/// What a day's adjustment left: the goal row on the primary (nil while queued), the adjustment
/// the day now holds, and whether anything was written.
public struct DayOutcome: Sendable, Equatable {
    public var goal: DailyGoal?
    public var adjustment: DayAdjustment
    public var wrote: Bool

    public init(goal: DailyGoal?, adjustment: DayAdjustment, wrote: Bool) {
        self.goal = goal
        self.adjustment = adjustment
        self.wrote = wrote
    }
}

/// A change to one day's energy adjustment on its goal row, as WorkOS writes it
/// (`applyDailyGoalAdjustment`): an upsert by date that sets the four energy columns (a new row
/// gets `baseTarget` as its target and the table's defaults). Shared by the goal adjustment, the
/// energy override and their undos.
public struct DayTargetChange: Codable, Equatable, Sendable {
    /// The local day, `YYYY-MM-DD`.
    public var date: String
    /// The target a goal row the change creates starts with.
    public var baseTarget: Int
    /// The adjustment the day gets.
    public var set: DayAdjustment
    /// Applied only while the day holds this (an undo: what the undone change left); nil: always.
    public var onlyIf: DayAdjustment?
    /// What the day held before, once known (what the undo puts back).
    public var before: DayAdjustment?
    /// When it is made (the goal row's `updated_at`).
    public var at: String

    public init(date: String, baseTarget: Int, set: DayAdjustment, onlyIf: DayAdjustment? = nil, before: DayAdjustment? = nil,
                at: String) {
        self.date = date
        self.baseTarget = baseTarget
        self.set = set
        self.onlyIf = onlyIf
        self.before = before
        self.at = at
    }

    /// Whether the day, holding `current`, takes the change.
    func takes(_ current: DayAdjustment) -> Bool {
        current != set && (onlyIf == nil || onlyIf == current)
    }

    func apply(to tx: any PrimaryTransaction, doing: String) async throws -> (DayTargetChange, DayOutcome) {
        try OlderWorkOS.check(tx, "daily_goals", ["date"] + DayAdjustment.columns, doing: doing)
        let row = try await tx.row("daily_goals", ["id"] + DayAdjustment.columns, where: [.equals("date", date.databaseValue)], lock: true)
        let current = row.map(DayAdjustment.init) ?? DayAdjustment()
        guard takes(current) else {
            // A replay (the day holds it already), or an undo of something changed since.
            return (self, DayOutcome(goal: try await tx.goal(on: date), adjustment: current, wrote: false))
        }
        var values: [String: DatabaseValue] = ["date": date.databaseValue, "target_points": baseTarget.databaseValue,
                                               "updated_at": at.databaseValue]
        var update = set.assignments
        update["updated_at"] = .set(at)
        for (column, assignment) in set.assignments {
            if case .value(let value) = assignment { values[column] = value }
        }
        try await tx.upsert("daily_goals", values, conflict: ["date"], update: update)
        var applied = self
        applied.before = current
        return (applied, DayOutcome(goal: try await tx.goal(on: date), adjustment: set, wrote: true))
    }

    func record(_ outcome: DayOutcome, in db: Database) throws {
        try CacheRows.upsert(outcome.goal, db)
        try LifeStore.setDayAdjustment(date, outcome.adjustment, at: at, db)
    }

    func show(in db: Database) throws -> (DayTargetChange, DayOutcome) {
        let current = try LifeStore.dayAdjustment(date, db)
        guard takes(current) else { return (self, DayOutcome(goal: nil, adjustment: current, wrote: false)) }
        try LifeStore.setDayAdjustment(date, set, at: at, db)
        var shown = self
        shown.before = current
        return (shown, DayOutcome(goal: nil, adjustment: set, wrote: true))
    }

    /// The change that puts the day back as it was, while it still holds what this one left; nil
    /// when this one changed nothing (there is nothing to put back).
    func reversed(at: String) -> DayTargetChange? {
        guard let before else { return nil }
        return DayTargetChange(date: date, baseTarget: baseTarget, set: before, onlyIf: set, before: set, at: at)
    }
}
