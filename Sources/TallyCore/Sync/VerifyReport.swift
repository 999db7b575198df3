import Foundation

/// What a verification found (and put right), for `tally sync --verify`, the sync pane, `tally
/// doctor` and `tally status`. Kept in `cache_meta` as JSON (`tally.verify.last`).
public struct VerifyReport: Codable, Equatable, Sendable {
    /// One table's findings.
    public struct Findings: Codable, Equatable, Sendable {
        /// Rows both sides have whose synced columns differed.
        public var differed = 0
        /// Rows the primary has in scope and the cache lacked.
        public var missing = 0
        /// Rows the cache had and the primary no longer has.
        public var deleted = 0
        /// Rows the cache had that left the scope (removed, as a sync removes them; not a difference).
        public var leftScope = 0
        /// Rows read from the primary to compare or to fix.
        public var rowsRead = 0

        public init() {}

        public var differences: Int { differed + missing + deleted }

        public mutating func add(_ other: Findings) {
            differed += other.differed
            missing += other.missing
            deleted += other.deleted
            leftScope += other.leftScope
            rowsRead += other.rowsRead
        }
    }

    /// True for `tally sync --verify` (the whole cache at once); false for a scheduled pass,
    /// which goes through the cache in slices.
    public var whole: Bool
    public var startedAt: String
    public var finishedAt: String
    /// By table name (`VerifiedTable.name`).
    public var tables: [String: Findings]

    public init(whole: Bool, startedAt: String, finishedAt: String, tables: [String: Findings] = [:]) {
        self.whole = whole
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.tables = tables
    }

    public var differences: Int { tables.values.reduce(0) { $0 + $1.differences } }

    public var rowsRead: Int { tables.values.reduce(0) { $0 + $1.rowsRead } }

    /// "3 tasks differed, 1 goal row; fixed", or "no differences".
    public var summary: String {
        let parts = counts
        guard let first = parts.first else { return "no differences" }
        return ([first + " differed"] + parts.dropFirst()).joined(separator: ", ") + "; fixed"
    }

    /// "fixed 3 tasks, 1 goal row", or "no differences": the short form for the sync pane.
    public var shortSummary: String {
        counts.isEmpty ? "no differences" : "fixed " + counts.joined(separator: ", ")
    }

    /// "3 tasks", "1 goal row": the rows that differed, per table, in the tables' order.
    var counts: [String] {
        VerifiedTable.all.compactMap { table -> String? in
            guard let found = tables[table.name], found.differences > 0 else { return nil }
            return table.count(found.differences)
        }
    }

    public mutating func add(_ findings: Findings, for table: String) {
        tables[table, default: Findings()].add(findings)
    }

    /// The `cache_meta` key of the last finished verification.
    public static let metaKey = "tally.verify.last"

    public var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) }
    }

    public static func decode(_ text: String?) -> VerifyReport? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(VerifyReport.self, from: Data(text.utf8))
    }
}
