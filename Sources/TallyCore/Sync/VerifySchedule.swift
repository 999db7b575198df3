import Foundation
import GRDB

/// When the scheduled verification runs: a pass over every table once per `every` seconds, in
/// slices of at most `sliceRows` cache rows, one slice per sync job, so that no job holds the
/// primary long. A plain value: the time is passed in.
public struct VerifySchedule: Sendable, Equatable {
    /// Seconds between passes (`verify_every`); 0: never.
    public var every: Double
    public var sliceRows: Int

    public init(every: Double, sliceRows: Int = 25_000) {
        self.every = every
        self.sliceRows = max(1, sliceRows)
    }

    /// Whether a job starting at `now` should verify a slice: a pass is under way, or the last
    /// one finished `every` seconds ago (or none ever did).
    ///
    /// - Parameter alone: whether it is due enough for a job of its own (the timer's, when
    ///   nothing is stale). A cache never verified is not: the next sync verifies its first slice.
    public func isDue(lastVerified: Date?, pass: VerifyPass?, now: Date, alone: Bool = false) -> Bool {
        guard every > 0 else { return false }
        if pass != nil { return true }
        guard let lastVerified else { return !alone }
        // Recorded times are rounded to the millisecond.
        return now.timeIntervalSince(lastVerified) >= every - 0.001
    }

    /// The next slice of `pass`: the tables and id ranges to verify, and the pass as it stands
    /// after them (nil: the pass ends with this slice).
    public func slice(of pass: VerifyPass, _ db: Database) throws -> (parts: [(VerifiedTable, IDRange)], next: VerifyPass?) {
        var budget = sliceRows
        var position = pass
        var parts: [(VerifiedTable, IDRange)] = []
        while budget > 0, let table = VerifiedTable.all.dropFirst(position.table).first {
            guard try db.tableExists(table.cacheTable) else {
                position.advance()
                continue
            }
            if table.isRanged {
                // The first id past `budget` rows from here ends the slice; none: the table ends it.
                let end = try Int64.fetchOne(db, sql: """
                    SELECT id FROM \(table.cacheTable) WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?
                    """, arguments: [position.after, budget])
                parts.append((table, IDRange(position.after, end)))
                if let end {
                    position.after = end
                    budget = 0
                } else {
                    budget -= try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.cacheTable) WHERE id >= ?",
                                               arguments: [position.after]) ?? 0
                    position.advance()
                }
            } else {
                parts.append((table, .all))
                budget -= try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.cacheTable)") ?? 0
                position.advance()
            }
        }
        return (parts, position.table < VerifiedTable.all.count ? position : nil)
    }
}

/// How far the scheduled pass has come (`cache_meta` `tally.verify.pass`) and what it found so far.
public struct VerifyPass: Codable, Equatable, Sendable {
    public var startedAt: String
    /// Index into `VerifiedTable.all` of the table the next slice starts in.
    public var table: Int
    /// The id the next slice starts from in that table.
    public var after: Int64
    public var found: [String: VerifyReport.Findings]

    public init(startedAt: String, table: Int = 0, after: Int64 = 1, found: [String: VerifyReport.Findings] = [:]) {
        self.startedAt = startedAt
        self.table = table
        self.after = after
        self.found = found
    }

    mutating func advance() {
        table += 1
        after = 1
    }

    public static let metaKey = "tally.verify.pass"

    var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func decode(_ text: String?) -> VerifyPass? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(VerifyPass.self, from: Data(text.utf8))
    }
}
