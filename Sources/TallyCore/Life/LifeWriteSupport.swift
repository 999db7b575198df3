import Foundation
import GRDB

/// What the kinds of write on WorkOS's other tables (`Writes/Kinds/`) have in common: the kinds of
/// row they change, the one line for a database that lacks their table, and what deciding them
/// reads (today's energy, a brain-dump entry, a task of any category).
extension WriteEntity {
    /// An energy reading (`energy_states`).
    public static let energy = WriteEntity("energy")
    /// Feedback on an energy-matched task (`energy_feedback`).
    public static let energyFeedback = WriteEntity("energy_feedback")
    /// A brain-dump entry (`brain_dump`).
    public static let brainDump = WriteEntity("brain_dump")
    /// A day's goal row (`daily_goals`): its energy adjustment.
    public static let day = WriteEntity("day")
}

/// A write refused because the WorkOS database has no table (or column) it needs: an older
/// WorkOS. One line that names the table and what could not be done; the failures view files it
/// as a schema failure, and nothing is created there.
public struct OlderWorkOS: Error, LocalizedError, FailureClassifying, Equatable, Sendable {
    /// The primary as a person may see it named.
    public let primary: String?
    /// `table energy_states`, `column daily_goals.adjusted_target_points`.
    public let lacks: String
    /// What could not be done: `log energy`.
    public let doing: String

    public init(primary: String?, lacks: String, doing: String) {
        self.primary = primary
        self.lacks = lacks
        self.doing = doing
    }

    public var errorDescription: String? {
        "The WorkOS database\(primary.map { " at \($0)" } ?? "") has no \(lacks) (an older WorkOS), so Tally cannot \(doing) there."
    }

    public func classified(primary: String) -> ClassifiedFailure {
        ClassifiedFailure(type: .schema, message: errorDescription ?? lacks, detail: lacks)
    }

    /// Refuses in `tx` unless the primary has `table` with `columns`.
    static func check(_ tx: any PrimaryTransaction, _ table: String, _ columns: [String], doing: String) throws {
        guard tx.has(table) else { throw OlderWorkOS(primary: tx.shown, lacks: "table \(table)", doing: doing) }
        for column in columns where !tx.has(table, column) {
            throw OlderWorkOS(primary: tx.shown, lacks: "column \(table).\(column)", doing: doing)
        }
    }
}

extension WriteContext {
    /// Refuses at once when the last sync found that the primary lacks `table` (an older WorkOS);
    /// when it has not been read yet, the primary decides.
    public func requirePrimaryTable(_ table: LifeTable, doing: String) async throws {
        let status = try await cache.read { db in try LifeStore.status(table, db) }
        if case .missing(let primary) = status {
            throw OlderWorkOS(primary: primary, lacks: "table \(table.source)", doing: doing)
        }
    }

    /// Today's energy as WorkOS reckons it (`EnergyContext.today`): today's newest reading in the
    /// cache, else today's Oura readiness, else medium. Today is the configured zone's.
    public func energyToday() async throws -> EnergyContext {
        let newest = try await read { db in try LifeStore.newestEnergy(db) }
        let oura = config.ouraCache().scores(on: today, now: now)
        return EnergyContext.today(newest: newest, oura: oura, today: today, timeZone: timeZone)
    }

    /// A task of any category (personal ones live in Tally's own table), with its cognitive
    /// load: from the cache, else from the primary (without the load, which the cache keeps).
    public func anyTask(_ id: Int64) async throws -> (WorkTask, String?) {
        if let found = try await read({ db in try LifeStore.anyTask(id, db) }) { return found }
        if let primary = workspace.primary, let task = try? await primary.task(id: id) { return (task, nil) }
        throw TallyError.unknownTask(id)
    }
}

/// A value a write matches a row by (its natural identity on the primary), kept in the outbox.
public enum MatchValue: Codable, Equatable, Sendable {
    case text(String)
    case int(Int64)
    case null

    public init(_ value: DatabaseValue) {
        switch value.storage {
        case .int64(let v): self = .int(v)
        case .string(let v): self = .text(v)
        case .double(let v): self = .int(Int64(v))
        case .blob(let v): self = .text(String(decoding: v, as: UTF8.self))
        case .null: self = .null
        }
    }

    public var databaseValue: DatabaseValue {
        switch self {
        case .text(let v): return v.databaseValue
        case .int(let v): return v.databaseValue
        case .null: return .null
        }
    }
}

/// A row a write adds (an energy reading, a feedback, a brain dump): its values as written, its
/// identity on the primary (columns the write itself fills: the moment it was made and its
/// content), and the id it has (the primary's, or a negative one while it waits).
public struct LoggedRow: Codable, Equatable, Sendable {
    /// The life table it belongs to (`LifeTable.name`).
    public var table: String
    /// The columns written, by name.
    public var values: [String: MatchValue]
    /// The columns that find it again on the primary.
    public var identity: [String]
    /// The primary's id, once it has one.
    public var id: Int64?
    /// The negative id it was shown under while it waited for the primary.
    public var localID: Int64?

    public init(table: LifeTable, values: [String: DatabaseValue], identity: [String]) {
        self.table = table.name
        self.values = values.mapValues(MatchValue.init)
        self.identity = identity
    }

    public var lifeTable: LifeTable { LifeTable.named(table) ?? .energyStates }

    var conditions: [PrimaryCondition] {
        identity.map { .equals($0, values[$0]?.databaseValue ?? .null) }
    }

    /// Inserts it in `tx` unless the primary has it already (a replay): returns the row as the
    /// primary holds it, and whether it was written.
    func apply(to tx: any PrimaryTransaction, doing: String) async throws -> (LoggedRow, PrimaryRow, wrote: Bool) {
        let table = lifeTable
        try OlderWorkOS.check(tx, table.source, table.required, doing: doing)
        var wrote = false
        // (A column an older WorkOS lacks is neither written nor matched.)
        let identity = conditions.filter { tx.has(table.source, $0.column) }
        var found = try await tx.rows(table.source, table.columns, where: identity, order: [PrimaryOrder("id")], limit: 1).first
        if found == nil {
            let id = try await tx.insert(table.source, values.mapValues(\.databaseValue))
            wrote = true
            if let id { found = try await tx.row(table.source, table.columns, where: [.equals("id", id.databaseValue)]) }
        }
        guard let row = found else {
            throw TallyError.conflict("\(tx.shown) did not keep the new \(table.source) row.")
        }
        var applied = self
        applied.id = row.int64("id")
        return (applied, row, wrote)
    }

    /// The id it shows under: the primary's, else the local one.
    public var shownID: Int64? { id ?? localID }

    /// Shows it in the cache under a local (negative) id; returns it as shown.
    func show(in db: Database) throws -> (LoggedRow, PrimaryRow) {
        var shown = self
        let id = try localID ?? LifeStore.localID(lifeTable, db)
        shown.localID = id
        var row = values.mapValues(\.databaseValue)
        row["id"] = id.databaseValue
        try LifeStore.put(lifeTable, row, db)
        return (shown, PrimaryRow(row))
    }

    /// Puts the primary's row in the cache in place of the one shown while queued.
    func record(_ row: PrimaryRow, in db: Database) throws {
        if let localID, localID != row.int64("id") { try LifeStore.remove(lifeTable, keys: [localID.databaseValue], db) }
        try LifeStore.put(lifeTable, row, db)
    }

    /// Takes it out of the cache (its undo, or a queued one withdrawn).
    func forget(in db: Database) throws {
        let keys = [id, localID].compactMap { $0 }.map(\.databaseValue)
        try LifeStore.remove(lifeTable, keys: keys, db)
    }
}

/// The moment a write is made, as the rows it adds keep it (`YYYY-MM-DDTHH:MM:SS.sssZ`, UTC).
extension WriteContext {
    var stamp: String { Timestamp.format(now) }
}

/// Text a life write keeps: trimmed, nil when empty, bounded.
public enum LifeText {
    public static func optional(_ text: String?, name: String, max: Int) throws -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.count <= max else { throw TallyError.badArgument("\(name) is at most \(max) characters (this one has \(text.count)).") }
        return text
    }

    public static func required(_ text: String?, name: String, max: Int) throws -> String {
        guard let text = try optional(text, name: name, max: max) else {
            throw TallyError.badArgument("\(name) is required: 1 to \(max) characters.")
        }
        return text
    }
}
