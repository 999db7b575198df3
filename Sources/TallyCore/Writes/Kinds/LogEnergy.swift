import Foundation
import GRDB

/// Logging an energy reading (`life_log_energy`): one `energy_states` row, as WorkOS writes it
/// (source `oura` when a readiness comes with it, else `manual`). The newest reading of the day
/// is today's energy (`EnergyContext`).
///
/// Its values, `recorded_at` among them, written by the write itself, are its identity on the
/// primary (a reading is never changed after): a replay finds the row and writes nothing. Undo removes the reading
/// (`RemoveEntry`).
public struct LogEnergy: Write {
    public static let kind = "energy.log"

    public var key: String
    public var row: LoggedRow

    public struct Result: Sendable, Equatable {
        /// The reading as the primary (or, queued, the cache) holds it.
        public var entry: PrimaryRow
        public var wrote: Bool
    }

    public init(key: String, row: LoggedRow) {
        self.key = key
        self.row = row
    }

    public var subject: WriteSubject { WriteSubject(.energy, row.shownID.map { [$0] } ?? []) }

    public func apply(to tx: any PrimaryTransaction) async throws -> (LogEnergy, Result) {
        let (applied, entry, wrote) = try await row.apply(to: tx, doing: "log energy")
        var write = self
        write.row = applied
        return (write, Result(entry: entry, wrote: wrote))
    }

    public func record(_ result: Result, in db: Database) throws {
        try row.record(result.entry, in: db)
    }

    public func show(in db: Database) throws -> (LogEnergy, Result) {
        let (shown, entry) = try row.show(in: db)
        var write = self
        write.row = shown
        return (write, Result(entry: entry, wrote: true))
    }

    public func inverse(key: String, at: String) -> (any Write)? {
        RemoveEntry(key: key, row: row, what: "energy reading")
    }

    public func changed(_ result: Result) -> Bool { result.wrote }

    public func describe(_ result: Result, queued: String?) -> String {
        let level = result.entry.text("level") ?? "?"
        return queued.map { "energy \(level) logged, queued: \($0)" } ?? "energy \(level) logged"
    }
}

extension LogEnergy {
    /// What a person asks: energy `level` now, with an optional note and Oura figures.
    public struct Intent: WriteIntent {
        public var level: EnergyLevel
        public var note: String?
        public var ouraReadiness: Int?
        public var ouraHRV: Int?
        public var ouraSleep: Int?

        public init(level: EnergyLevel, note: String? = nil, ouraReadiness: Int? = nil, ouraHRV: Int? = nil, ouraSleep: Int? = nil) {
            self.level = level
            self.note = note
            self.ouraReadiness = ouraReadiness
            self.ouraHRV = ouraHRV
            self.ouraSleep = ouraSleep
        }

        public var subject: WriteSubject { WriteSubject(.energy, []) }

        /// WorkOS's bounds: a note of at most 500 characters, readiness and sleep 0–100, HRV 0–300.
        /// A readiness of 0 is a reading (WorkOS drops zeros as missing).
        public func make(_ context: WriteContext) async throws -> LogEnergy? {
            let note = try LifeText.optional(note, name: "note", max: 500)
            for (name, value, bound) in [("ouraReadiness", ouraReadiness, 100), ("ouraHrv", ouraHRV, 300), ("ouraSleep", ouraSleep, 100)] {
                if let value, !(0...bound).contains(value) {
                    throw TallyError.badArgument("\(name) must be from 0 to \(bound), got \(value).")
                }
            }
            try await context.requirePrimaryTable(.energyStates, doing: "log energy")
            let values: [String: DatabaseValue] = [
                "level": level.rawValue.databaseValue, "source": (ouraReadiness == nil ? "manual" : "oura").databaseValue,
                "oura_readiness": ouraReadiness.databaseValue, "oura_hrv": ouraHRV.databaseValue,
                "oura_sleep": ouraSleep.databaseValue, "note": note.databaseValue, "recorded_at": context.stamp.databaseValue,
            ]
            return LogEnergy(key: WriteContext.newKey(),
                             row: LoggedRow(table: .energyStates, values: values, identity: values.keys.sorted()))
        }
    }
}
