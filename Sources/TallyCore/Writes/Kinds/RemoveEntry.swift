import Foundation
import GRDB

/// Taking back a row a write logged (`u` after an energy reading, an override, a feedback or a
/// brain dump): the row goes, found on the primary by its id and the identity the write gave it;
/// for an override, the day's adjustment goes back too, unless it was changed since. A replay
/// finds the row gone and writes nothing.
public struct RemoveEntry: Write {
    public static let kind = "life.remove"

    public var key: String
    public var row: LoggedRow
    /// In a person's words: "energy reading".
    public var what: String
    /// The day's adjustment to put back (an override's).
    public var day: DayTargetChange?

    public struct Result: Sendable, Equatable {
        public var removed: Bool
        public var day: DayOutcome?
    }

    public init(key: String, row: LoggedRow, what: String, day: DayTargetChange? = nil) {
        self.key = key
        self.row = row
        self.what = what
        self.day = day
    }

    public var subject: WriteSubject {
        WriteSubject(row.lifeTable == .energyFeedback ? .energyFeedback : row.lifeTable == .brainDump ? .brainDump : .energy,
                     row.shownID.map { [$0] } ?? [])
    }

    public func apply(to tx: any PrimaryTransaction) async throws -> (RemoveEntry, Result) {
        let table = row.lifeTable
        try OlderWorkOS.check(tx, table.source, table.required, doing: "take back the \(what)")
        var conditions = row.conditions.filter { tx.has(table.source, $0.column) }
        if let id = row.id { conditions.append(.equals("id", id.databaseValue)) }
        let removed = try await tx.delete(table.source, where: conditions) > 0
        var write = self
        var result = Result(removed: removed, day: nil)
        if let day {
            let (applied, outcome) = try await day.apply(to: tx, doing: "put the day's goal back")
            write.day = applied
            result.day = outcome
        }
        return (write, result)
    }

    public func record(_ result: Result, in db: Database) throws {
        try row.forget(in: db)
        if let outcome = result.day { try day?.record(outcome, in: db) }
    }

    public func show(in db: Database) throws -> (RemoveEntry, Result) {
        try row.forget(in: db)
        var write = self
        var result = Result(removed: true, day: nil)
        if let day {
            let (shown, outcome) = try day.show(in: db)
            write.day = shown
            result.day = outcome
        }
        return (write, result)
    }

    public func inverse(key: String, at: String) -> (any Write)? { nil }

    public func changed(_ result: Result) -> Bool { result.removed || result.day?.wrote == true }

    public func describe(_ result: Result, queued: String?) -> String { describeUndo(result, queued: queued) }

    public func describeUndo(_ result: Result, queued: String?) -> String {
        queued == nil ? "↶ undone: \(what)" : "↶ undo queued"
    }
}
