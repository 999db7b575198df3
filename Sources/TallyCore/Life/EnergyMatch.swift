import Foundation

/// How well a task suits an energy level: WorkOS's `calculateEnergyScore`, written once as data
/// so the same rule scores a task in Swift (with its reasons) and orders thousands of tasks in
/// SQL (`sqlScore`), and a test can hold the two to each other.
///
/// The score: the cognitive load against the level (a perfect match 100, a near one 50), then
/// bonuses for the value tier, the drain type, the effort, a personal task (low energy only),
/// and 5 for a task already active. A task without a load counts as medium.
public struct EnergyMatch: Sendable {
    public let level: EnergyLevel

    public init(_ level: EnergyLevel) {
        self.level = level
    }

    /// What the score reads of a task.
    public struct Task: Equatable, Sendable {
        public var cognitiveLoad: String?
        public var valueTier: String?
        public var drainType: String?
        public var effortEstimate: Int?
        public var status: String?
        public var category: String?

        public init(cognitiveLoad: String?, valueTier: String?, drainType: String?, effortEstimate: Int?,
                    status: String?, category: String?) {
            self.cognitiveLoad = cognitiveLoad
            self.valueTier = valueTier
            self.drainType = drainType
            self.effortEstimate = effortEstimate
            self.status = status
            self.category = category
        }

        public init(_ task: WorkTask, cognitiveLoad: String?) {
            self.init(cognitiveLoad: cognitiveLoad, valueTier: task.valueTier, drainType: task.drainType,
                      effortEstimate: task.effortEstimate, status: task.status, category: task.category)
        }
    }

    /// A condition on one field of a task, with the points and the reason it gives.
    struct Bonus {
        enum Test {
            case tier(Set<String>)
            case drain(String)
            /// A non-zero effort estimate within the range (JavaScript's `effort && …`).
            case effort(ClosedRange<Int>)
            case category(String)
            case status(String)
        }

        var test: Test
        var points: Int
        var reason: String
    }

    /// The load's points and reason.
    func loadMatch(_ load: String) -> (Int, String) {
        switch (level, load) {
        case (.high, "high"): return (100, "Perfect match: High cognitive load task for high energy")
        case (.high, "medium"): return (50, "Good match: Medium cognitive load acceptable for high energy")
        case (.high, _): return (0, "Low priority: Low cognitive load task when energy is high")
        case (.medium, "medium"): return (100, "Perfect match: Medium cognitive load for medium energy")
        case (.medium, "high"), (.medium, "low"): return (50, "Acceptable match: Can handle varied tasks at medium energy")
        case (.medium, _): return (0, "")
        case (.low, "low"): return (100, "Perfect match: Low cognitive load for low energy")
        case (.low, "medium"): return (50, "Acceptable: Medium cognitive load manageable with low energy")
        case (.low, _): return (0, "Avoid: High cognitive load task when energy is low")
        }
    }

    /// The loads `loadMatch` names for this level, with their points (anything else scores the
    /// last case's).
    var loadPoints: [(String, Int)] {
        ["high", "medium", "low"].map { ($0, loadMatch($0).0) }
    }

    var bonuses: [Bonus] {
        var list: [Bonus]
        switch level {
        case .high:
            list = [
                Bonus(test: .tier(["milestone", "deliverable"]), points: 20, reason: "Bonus: High-value work best done with high energy"),
                Bonus(test: .drain("deep"), points: 10, reason: "Bonus: Deep work suited for high energy"),
                Bonus(test: .effort(5...Int.max), points: 10, reason: "Bonus: High energy allows tackling larger tasks"),
            ]
        case .medium:
            list = [
                Bonus(test: .tier(["progress"]), points: 20, reason: "Bonus: Progress tasks ideal for medium energy"),
                Bonus(test: .drain("shallow"), points: 10, reason: "Bonus: Shallow work matches medium energy"),
                Bonus(test: .effort(2...4), points: 5, reason: "Bonus: Medium-sized tasks fit medium energy well"),
            ]
        case .low:
            list = [
                Bonus(test: .tier(["checkbox"]), points: 20, reason: "Bonus: Checkbox tasks perfect for low energy"),
                Bonus(test: .drain("admin"), points: 10, reason: "Bonus: Admin work ideal when energy is low"),
                Bonus(test: .effort(Int.min...2), points: 15, reason: "Bonus: Quick wins help build momentum on low energy"),
                Bonus(test: .category("personal"), points: 5, reason: "Bonus: Personal tasks often easier when energy is low"),
            ]
        }
        list.append(Bonus(test: .status("active"), points: 5, reason: "Bonus: Finish active tasks to maintain momentum"))
        return list
    }

    static func holds(_ test: Bonus.Test, _ task: Task) -> Bool {
        switch test {
        case .tier(let tiers): return task.valueTier.map(tiers.contains) ?? false
        case .drain(let drain): return task.drainType == drain
        case .effort(let range): return task.effortEstimate.map { $0 != 0 && range.contains($0) } ?? false
        case .category(let category): return task.category == category
        case .status(let status): return task.status == status
        }
    }

    /// The task's score and WorkOS's reasons, joined by ". ".
    public func score(_ task: Task) -> (score: Int, reason: String) {
        let (points, why) = loadMatch(EnergyGate.load(task.cognitiveLoad))
        var score = points
        var reasons = why.isEmpty ? [] : [why]
        for bonus in bonuses where Self.holds(bonus.test, task) {
            score += bonus.points
            reasons.append(bonus.reason)
        }
        return (score, reasons.joined(separator: ". "))
    }

    /// The same score as a SQL expression over a row with columns `load` (the cognitive load or
    /// NULL), `value_tier`, `drain_type`, `effort_estimate`, `status` and `category`. Literals
    /// only: no value in it comes from data.
    public var sqlScore: String {
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let cases = loadPoints.map { "WHEN \(quoted($0.0)) THEN \($0.1)" }.joined(separator: " ")
        let otherwise = loadMatch("unknown").0
        var terms = ["(CASE lower(coalesce(nullif(load, ''), 'medium')) \(cases) ELSE \(otherwise) END)"]
        for bonus in bonuses {
            let condition: String
            switch bonus.test {
            case .tier(let tiers): condition = "value_tier IN (\(tiers.sorted().map(quoted).joined(separator: ", ")))"
            case .drain(let drain): condition = "drain_type = \(quoted(drain))"
            case .effort(let range):
                var parts = ["effort_estimate IS NOT NULL", "effort_estimate != 0"]
                if range.lowerBound != Int.min { parts.append("effort_estimate >= \(range.lowerBound)") }
                if range.upperBound != Int.max { parts.append("effort_estimate <= \(range.upperBound)") }
                condition = parts.joined(separator: " AND ")
            case .category(let category): condition = "category = \(quoted(category))"
            case .status(let status): condition = "status = \(quoted(status))"
            }
            terms.append("(CASE WHEN \(condition) THEN \(bonus.points) ELSE 0 END)")
        }
        return terms.joined(separator: " + ")
    }
}
