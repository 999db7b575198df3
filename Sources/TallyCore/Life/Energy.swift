import Foundation

/// How much a person has in them today, as WorkOS reckons it: `high`, `medium` or `low`.
public enum EnergyLevel: String, CaseIterable, Sendable, Codable, Comparable {
    case low, medium, high

    /// WorkOS's map from a readiness score (0–100): above 75 high, 60–75 medium, below 60 low.
    public init(readiness: Int) {
        if readiness > 75 {
            self = .high
        } else if readiness >= 60 {
            self = .medium
        } else {
            self = .low
        }
    }

    /// low < medium < high, for the feedback's difference.
    public var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        }
    }

    public static func < (lhs: EnergyLevel, rhs: EnergyLevel) -> Bool { lhs.rank < rhs.rank }
}

/// One `energy_states` row: a reading a person logged (or WorkOS took from Oura).
public struct EnergyReading: Equatable, Sendable {
    public var id: Int64
    public var level: String
    public var source: String?
    public var ouraReadiness: Int?
    public var ouraHRV: Int?
    public var ouraSleep: Int?
    public var note: String?
    /// ISO 8601 (UTC).
    public var recordedAt: String

    public init(id: Int64, level: String, source: String? = "manual", ouraReadiness: Int? = nil, ouraHRV: Int? = nil,
                ouraSleep: Int? = nil, note: String? = nil, recordedAt: String) {
        self.id = id
        self.level = level
        self.source = source
        self.ouraReadiness = ouraReadiness
        self.ouraHRV = ouraHRV
        self.ouraSleep = ouraSleep
        self.note = note
        self.recordedAt = recordedAt
    }

    /// The local day it was recorded on.
    public func day(in timeZone: TimeZone) -> LocalDay? {
        Timestamp.parse(recordedAt).map { LocalDay($0, in: timeZone) }
    }
}

/// Today's scores from the Oura cache (`OuraCache`), each nil when it has none.
public struct OuraScores: Equatable, Sendable {
    public var readiness: Int?
    public var sleep: Int?

    public init(readiness: Int? = nil, sleep: Int? = nil) {
        self.readiness = readiness
        self.sleep = sleep
    }

    public static let none = OuraScores()
}

/// Where today's energy comes from and what it is (WorkOS's `getEnergyContext`).
public struct EnergyContext: Equatable, Sendable {
    public enum Source: String, Sendable {
        /// A reading logged today (`energy_states`).
        case manual
        /// Today's Oura readiness, from the Oura cache.
        case oura
        /// Nothing known: medium.
        case `default`
        /// The caller said which level to use.
        case manualOverride = "manual_override"
    }

    public var level: EnergyLevel
    public var readinessScore: Int?
    public var sleepScore: Int?
    public var source: Source
    /// ISO 8601: when the reading it comes from was recorded (manual), nil otherwise.
    public var timestamp: String?

    public init(level: EnergyLevel, readinessScore: Int?, sleepScore: Int?, source: Source, timestamp: String? = nil) {
        self.level = level
        self.readinessScore = readinessScore
        self.sleepScore = sleepScore
        self.source = source
        self.timestamp = timestamp
    }

    /// Today's context, by WorkOS's order: the newest reading logged today (its level; the
    /// readiness from Oura, else the reading's own), else today's Oura readiness (its level),
    /// else medium with nothing known. "Today" is `today`, a local day of the configured zone.
    ///
    /// WorkOS also falls back to the readiness of the newest reading of any earlier day; an old
    /// reading says nothing about today, so Tally does not.
    public static func today(newest: EnergyReading?, oura: OuraScores, today: LocalDay, timeZone: TimeZone) -> EnergyContext {
        if let reading = newest, reading.day(in: timeZone) == today {
            let level = EnergyLevel(rawValue: reading.level.lowercased()) ?? .medium
            return EnergyContext(level: level, readinessScore: oura.readiness ?? reading.ouraReadiness,
                                 sleepScore: oura.sleep, source: .manual, timestamp: reading.recordedAt)
        }
        if let readiness = oura.readiness {
            return EnergyContext(level: EnergyLevel(readiness: readiness), readinessScore: readiness, sleepScore: oura.sleep,
                                 source: .oura)
        }
        return EnergyContext(level: .medium, readinessScore: nil, sleepScore: nil, source: .default)
    }
}

/// WorkOS's day-target adjustment from readiness (`calculateDailyGoalAdjustment`): 85 and over
/// +15 %, 70–84 unchanged, under 70 −25 %; no readiness, unchanged.
public struct GoalAdjustment: Equatable, Sendable {
    public var originalTarget: Int
    public var adjustedTarget: Int
    public var adjustmentPercentage: Int
    public var reason: String
    /// The level the readiness maps to (medium without one). Its bands differ from the
    /// target's: readiness 72 is medium and unchanged, 65 medium and −25 %.
    public var energyLevel: EnergyLevel
    public var readinessScore: Int?
    public var sleepScore: Int?

    public init(readiness: Int?, sleep: Int?, base: Int = Ledger.defaultTarget) {
        originalTarget = base
        readinessScore = readiness
        guard let readiness else {
            adjustedTarget = base
            adjustmentPercentage = 0
            reason = "No energy data available, using standard target"
            energyLevel = .medium
            sleepScore = nil
            return
        }
        sleepScore = sleep
        energyLevel = EnergyLevel(readiness: readiness)
        let sleepContext = sleep.map { " Sleep quality: \($0)/100." } ?? ""
        if readiness >= 85 {
            adjustmentPercentage = 15
            adjustedTarget = Self.round(Double(base) * 1.15)
            reason = "High readiness (\(readiness)/100) - increased target by 15% to leverage peak energy.\(sleepContext)"
        } else if readiness >= 70 {
            adjustmentPercentage = 0
            adjustedTarget = base
            reason = "Good readiness (\(readiness)/100) - maintaining standard target.\(sleepContext)"
        } else {
            adjustmentPercentage = -25
            adjustedTarget = Self.round(Double(base) * 0.75)
            reason = "Low readiness (\(readiness)/100) - reduced target by 25% to prevent burnout and protect wellbeing.\(sleepContext)"
        }
    }

    /// JavaScript's `Math.round`: halves go up.
    static func round(_ value: Double) -> Int { Int((value + 0.5).rounded(.down)) }
}

/// WorkOS's energy gate (`filterTasksByEnergy`): which cognitive loads a readiness allows.
/// A task without a load counts as medium.
public struct EnergyGate: Equatable, Sendable {
    public var readiness: Int?
    /// nil: every load.
    public var allowed: Set<String>?
    public var reason: String

    public init(readiness: Int?) {
        self.readiness = readiness
        guard let readiness else {
            allowed = nil
            reason = "No energy data available - showing all tasks"
            return
        }
        if readiness < 60 {
            allowed = ["low"]
            reason = "Readiness \(readiness)/100: Filtering to low cognitive load tasks only to protect energy"
        } else if readiness <= 75 {
            allowed = ["low", "medium"]
            reason = "Readiness \(readiness)/100: Allowing low and medium cognitive load tasks"
        } else {
            allowed = nil
            reason = "Readiness \(readiness)/100: Full energy - all tasks available"
        }
    }

    /// A task's load as the gate sees it.
    public static func load(_ cognitiveLoad: String?) -> String {
        guard let load = cognitiveLoad?.lowercased(), !load.isEmpty else { return "medium" }
        return load
    }

    public func allows(_ cognitiveLoad: String?) -> Bool {
        allowed?.contains(Self.load(cognitiveLoad)) ?? true
    }

    /// The reason, with what was held back (WorkOS's wording) when anything was.
    public func explanation(filteredLoads: [String?]) -> String {
        guard let readiness, !filteredLoads.isEmpty else { return reason }
        var counts: [String: Int] = [:]
        for load in filteredLoads { counts[Self.load(load), default: 0] += 1 }
        var parts: [String] = []
        for name in ["high", "medium", "low"] {
            if let count = counts[name], count > 0 {
                parts.append("\(count) \(name) cognitive load task\(count == 1 ? "" : "s")")
            }
        }
        var text = "\(reason) (Filtered: \(parts.joined(separator: ", ")).)"
        if readiness < 60 {
            text = "\(reason) (Filtered: \(parts.joined(separator: ", ")). Recovery mode active - prioritizing wellbeing over productivity.)"
        } else if readiness <= 75 {
            text = "\(reason) (Filtered: \(parts.joined(separator: ", ")). Moderate energy - protecting capacity by avoiding high-intensity work.)"
        }
        return text
    }
}
