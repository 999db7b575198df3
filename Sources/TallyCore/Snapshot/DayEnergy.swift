import Foundation
import GRDB

/// Today's readiness and energy as WorkOS recorded them, for the header and the `E` overlay:
/// the day's goal row (its energy columns, which Tally copies into `tally_day_energy`) and the
/// newest energy reading logged today (`tally_energy_states`). Nil fields were not recorded.
public struct DayEnergy: Equatable, Sendable {
    /// Readiness 0–100: the goal row's, else today's reading's Oura readiness.
    public var readiness: Int?
    /// The energy level: the newest reading logged today, else the goal row's.
    public var level: String?
    /// The target WorkOS adjusted the day to, and the reason it gave.
    public var adjustedTarget: Int?
    public var reason: String?
    /// The reading the level comes from, when it comes from one: its source (`oura`,
    /// `manual`), note and time (ISO 8601, UTC), and the sleep score it carries.
    public var source: String?
    public var note: String?
    public var recordedAt: String?
    public var sleep: Int?

    public init(readiness: Int? = nil, level: String? = nil, adjustedTarget: Int? = nil, reason: String? = nil,
                source: String? = nil, note: String? = nil, recordedAt: String? = nil, sleep: Int? = nil) {
        self.readiness = readiness
        self.level = level
        self.adjustedTarget = adjustedTarget
        self.reason = reason
        self.source = source
        self.note = note
        self.recordedAt = recordedAt
        self.sleep = sleep
    }

    /// Whether there is anything to show.
    public var isEmpty: Bool { readiness == nil && level == nil && reason == nil && adjustedTarget == nil }

    /// The level as a word the header shows ("high", "medium", "low"), lowercased, or the text
    /// as recorded when WorkOS wrote another.
    public var levelWord: String? {
        guard let level else { return nil }
        // ASCII, as WorkOS writes it, is trimmed and lowered byte by byte: Foundation's
        // character sets and Unicode's case tables were loaded for it at every start.
        let bytes = Array(level.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            var start = 0, end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard start < end else { return nil }
            let word = bytes[start..<end]
            let lowered = String(decoding: word.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
            return EnergyLevel(rawValue: lowered)?.rawValue ?? TextSafety.sanitize(String(decoding: word, as: UTF8.self))
        }
        let trimmed = level.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        return EnergyLevel(rawValue: trimmed.lowercased())?.rawValue ?? TextSafety.sanitize(trimmed)
    }

    /// Reads today's: nil when neither the goal row nor a reading of today has any of it (or the
    /// tables are not there: a cache no sync of this Tally has filled).
    static func read(today: LocalDay, timeZone: TimeZone, _ db: Database) throws -> DayEnergy? {
        var energy = DayEnergy()
        if let row = try LifeStore.dayEnergy(today.description, db) {
            energy.readiness = row.int("readiness_score")
            energy.level = row.text("energy_level")
            energy.adjustedTarget = row.int("adjusted_target_points")
            energy.reason = row.text("adjustment_reason").flatMap { $0.isEmpty ? nil : $0 }
        }
        // Readings are UTC times; a local day spans two UTC dates at most.
        let start = today.start(in: timeZone)
        let readings = try LifeStore.records(
            .energyStates, where: "recorded_at >= ? AND recorded_at < ?",
            arguments: [Timestamp.format(start.addingTimeInterval(-86400)), Timestamp.format(start.addingTimeInterval(2 * 86400))],
            order: "recorded_at DESC, id DESC", db)
        if let reading = readings.map(LifeStore.reading).first(where: { $0.day(in: timeZone) == today }) {
            energy.level = reading.level
            energy.readiness = energy.readiness ?? reading.ouraReadiness
            energy.source = reading.source
            energy.note = reading.note.flatMap { $0.isEmpty ? nil : $0 }
            energy.recordedAt = reading.recordedAt
            energy.sleep = reading.ouraSleep
        }
        return energy.isEmpty ? nil : energy
    }
}
