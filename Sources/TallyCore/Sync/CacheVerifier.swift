import Foundation
import GRDB
import Logging

/// Finds where the cache differs from its primary, whatever `updated_at` says, and puts it right
/// (docs/ARCHITECTURE.md, "Verification").
///
/// Range-based reconciliation: both sides hash every row's synced columns and sum the hashes over
/// the range; when the sums differ, per bucket of 1,024 ids; only buckets whose sums differ are
/// split into buckets of 32, and only those that differ again are compared row by row, by hash;
/// only the rows whose hashes differ are read.
/// When nothing differs, only the sums cross the wire. When most buckets differ (a table restored
/// to an earlier state) their rows are read whole, as a full sync would.
///
/// A fix goes through the table's own writes (for the contract tables the sync's `CacheRows`), in
/// transactions of at most `chunkSize` rows, each comparing the rows again inside it: a row another
/// program wrote meanwhile, or that already agrees, is not written.
public struct CacheVerifier: Sendable {
    public let cache: CacheStore
    public let primary: any PrimaryDigests
    public let scope: ScopeWindow
    public let now: Date
    public var chunkSize: Int
    let logger: Logger

    /// Bucket widths, in ids, from the first comparison to the last before rows.
    static let widths: [Int64] = [1024, 32]

    public init(cache: CacheStore, primary: any PrimaryDigests, scope: ScopeWindow, now: Date = Date(),
                chunkSize: Int = 2000, logger: Logger = Logger(label: "tally.verify")) {
        self.cache = cache
        self.primary = primary
        self.scope = scope
        self.now = now
        self.chunkSize = max(1, chunkSize)
        self.logger = logger
    }

    /// Compares the rows of `table` whose ids are in `ids` (all rows of a table compared whole)
    /// and fixes what differs.
    public func verify(_ table: VerifiedTable, ids: IDRange = .all) async throws -> VerifyReport.Findings {
        let scope = self.scope, now = self.now
        let compared = try await cache.read { db in try Self.compared(table, scope: scope, now: now, db) }
        var findings = VerifyReport.Findings()
        guard table.isRanged else {
            let (theirs, ours) = try await digests(compared, ids: ids, width: nil, within: nil, bucketWidth: nil)
            if Self.differing(theirs, ours).isEmpty { return findings }
            try await readWhole(compared, ranges: [ids], findings: &findings)
            return findings
        }

        // The whole range first: the common case, nothing differs, is one digest each way (and
        // one aggregate, which PostgreSQL runs in parallel).
        let (whole, wholeHere) = try await digests(compared, ids: ids, width: nil, within: nil, bucketWidth: nil)
        if Self.differing(whole, wholeHere).isEmpty { return findings }
        var width = Self.widths[0]
        var (theirs, ours) = try await digests(compared, ids: ids, width: width, within: nil, bucketWidth: nil)
        var level = 0
        while true {
            let differing = Self.differing(theirs, ours)
            if differing.isEmpty { return findings }
            let buckets = Set(theirs.keys).union(ours.keys).count
            // Most buckets differ: their rows are read whole instead of narrowed.
            if differing.count >= 4, differing.count * 2 > buckets {
                try await readWhole(compared, ranges: Self.ranges(differing, width: width, within: ids), findings: &findings)
                return findings
            }
            if level + 1 < Self.widths.count {
                let next = Self.widths[level + 1]
                (theirs, ours) = try await digests(compared, ids: ids, width: next, within: differing, bucketWidth: width)
                width = next
                level += 1
                continue
            }
            // Row by row, by hash, within the buckets that still differ.
            let bucketWidth = width
            async let asked = primary.rowHashes(compared, buckets: differing, bucketWidth: bucketWidth)
            let rowsOurs = try await cache.read { db in
                try SQLiteDigests.rowHashes(db, Self.source(compared), compared, buckets: differing, bucketWidth: bucketWidth)
            }
            let rowsTheirs = try await asked
            let rowIDs = Set(rowsTheirs.keys).union(rowsOurs.keys).filter { ids.contains($0) && rowsTheirs[$0] != rowsOurs[$0] }
            try await fix(compared, ids: rowIDs.sorted(), findings: &findings)
            return findings
        }
    }

    /// Both sides' digests of the same buckets; the cache computes its own while the primary's
    /// query runs.
    func digests(_ compared: ComparedTable, ids: IDRange, width: Int64?, within buckets: [Int64]?,
                 bucketWidth: Int64?) async throws -> (theirs: [Int64: RangeDigest], ours: [Int64: RangeDigest]) {
        async let asked = primary.digests(compared, ids: ids, width: width, within: buckets, bucketWidth: bucketWidth)
        let ours = try await cache.read { db in
            try SQLiteDigests.digests(db, Self.source(compared), compared, ids: ids, width: width, buckets: buckets,
                                      bucketWidth: bucketWidth)
        }
        return (try await asked, ours)
    }

    // MARK: Fixing

    /// Reads the rows with `ids` from the primary and writes those that still differ.
    func fix(_ compared: ComparedTable, ids: [Int64], findings: inout VerifyReport.Findings) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await primary.rows(compared, withIDs: ids)
        findings.rowsRead += rows.count
        let found = Set(rows.compactMap { Int64.fromDatabaseValue($0[0]) })
        let gone = ids.filter { !found.contains($0) }
        try await apply(compared, rows: rows, findings: &findings)
        try await removeGone(compared, candidates: gone, findings: &findings)
    }

    /// Reads the rows of `ranges` whole, chunk by chunk, and writes those that differ; the cache's
    /// rows in the ranges that the primary did not give are then asked about and removed.
    func readWhole(_ compared: ComparedTable, ranges: [IDRange], findings: inout VerifyReport.Findings) async throws {
        var gone: [Int64] = []
        for range in ranges {
            var after: Int64?
            while true {
                let rows = try await primary.rows(compared, ids: range, after: after, limit: chunkSize)
                findings.rowsRead += rows.count
                let last = compared.table.isRanged ? rows.last.flatMap { Int64.fromDatabaseValue($0[0]) } : nil
                let more = compared.table.isRanged && rows.count >= chunkSize && last != nil
                // The span these rows cover: from the last chunk's end to this one's (or the range's).
                var span = range
                if let after { span.lower = after + 1 }
                if more, let last { span.upper = last + 1 }
                let extra = try await apply(compared, rows: rows, span: span, findings: &findings)
                gone += extra
                if !more { break }
                after = last
            }
        }
        try await removeGone(compared, candidates: gone, findings: &findings)
    }

    /// Writes the primary's `rows` where the cache holds something else, in transactions of at most
    /// `chunkSize` rows. With `span`, also returns the cache's rows in that span the primary did not
    /// give (for a table compared whole: removes them).
    @discardableResult
    func apply(_ compared: ComparedTable, rows: [[DatabaseValue]], span: IDRange? = nil,
               findings: inout VerifyReport.Findings) async throws -> [Int64] {
        let table = compared.table
        let source = Self.source(compared)
        let keyIndexes = table.keyIndexes
        var extra: [Int64] = []
        var batches = stride(from: 0, to: rows.count, by: chunkSize).map { Array(rows[$0..<min(rows.count, $0 + chunkSize)]) }
        if batches.isEmpty { batches = [[]] }
        for (number, batch) in batches.enumerated() {
            let last = number == batches.count - 1
            let (found, leftOver) = try await cache.write { db -> (VerifyReport.Findings, [[DatabaseValue]]) in
                var found = VerifyReport.Findings()
                var hasher = compared.hasher()
                var theirs: [String: [DatabaseValue]] = [:]
                for row in batch { theirs[Self.key(row, keyIndexes)] = row }
                // The cache's rows for the same keys (a table compared whole: all of them; the last
                // batch of a span: all of the span's).
                let ours: [[DatabaseValue]]
                if !table.isRanged {
                    ours = try SQLiteDigests.rows(db, source, ids: .all, after: nil, limit: Int.max)
                } else if let span, last {
                    ours = try SQLiteDigests.rows(db, source, ids: span, after: nil, limit: Int.max)
                } else {
                    ours = try SQLiteDigests.rows(db, source, withIDs: batch.compactMap { Int64.fromDatabaseValue($0[0]) })
                }
                var mine: [String: [DatabaseValue]] = [:]
                for row in ours { mine[Self.key(row, keyIndexes)] = row }
                var writes: [[DatabaseValue]] = []
                for row in batch {
                    let key = Self.key(row, keyIndexes)
                    if let cached = mine[key] {
                        if Self.agree(row, cached, compared, &hasher) { continue }
                        found.differed += 1
                    } else {
                        found.missing += 1
                    }
                    writes.append(row)
                }
                if !writes.isEmpty { try table.upsert(writes, db) }
                var leftOver: [[DatabaseValue]] = []
                if last, span != nil || !table.isRanged {
                    // Every batch's keys, not only this one's: the span's rows came in several.
                    let given = Set(rows.map { Self.key($0, keyIndexes) })
                    leftOver = ours.filter { !given.contains(Self.key($0, keyIndexes)) }
                    if !table.isRanged, !leftOver.isEmpty {
                        try table.remove(leftOver, db)
                        found.deleted += leftOver.count
                    }
                }
                return (found, leftOver)
            }
            findings.add(found)
            if table.isRanged { extra += leftOver.compactMap { Int64.fromDatabaseValue($0[0]) } }
        }
        return extra
    }

    /// Cache rows the primary did not give: asked about once more, then removed when the primary
    /// no longer has them (a deletion) or has them outside the scope (not a difference); kept
    /// when they are there after all (added meanwhile by a program that writes through).
    func removeGone(_ compared: ComparedTable, candidates: [Int64], findings: inout VerifyReport.Findings) async throws {
        guard !candidates.isEmpty else { return }
        let presence = try await primary.presence(compared, of: candidates)
        let deleted = candidates.filter { presence[$0] == nil }
        let outside = candidates.filter { presence[$0] == false }
        guard !deleted.isEmpty || !outside.isEmpty else { return }
        let source = Self.source(compared)
        let removed = try await cache.write { db -> (Int, Int) in
            let present = Set(try SQLiteDigests.rows(db, source, withIDs: deleted + outside).compactMap { Int64.fromDatabaseValue($0[0]) })
            let goneNow = deleted.filter(present.contains)
            let outsideNow = outside.filter(present.contains)
            try compared.table.remove((goneNow + outsideNow).map { [$0.databaseValue] }, db)
            return (goneNow.count, outsideNow.count)
        }
        findings.deleted += removed.0
        findings.leftScope += removed.1
    }

    /// Whether the primary's row and the cache's hold the same values, as their canonical texts
    /// tell. A NULL the cache stores as the time of the write matches whatever time it holds.
    static func agree(_ theirs: [DatabaseValue], _ ours: [DatabaseValue], _ compared: ComparedTable, _ hasher: inout RowHasher) -> Bool {
        var theirs = theirs
        for index in compared.anyWhenNull where index < theirs.count && index < ours.count && theirs[index].isNull {
            theirs[index] = ours[index]
        }
        return hasher.hash(theirs) == hasher.hash(ours)
    }

    // MARK: Both sides

    /// The table as compared now, with the cache's defaults for NULLs in its NOT NULL columns
    /// (what `CacheRows.upsert` stores for them).
    static func compared(_ table: VerifiedTable, scope: ScopeWindow, now: Date, _ db: Database) throws -> ComparedTable {
        var defaults = [String?](repeating: nil, count: table.columns.count)
        var anyTime: Set<Int> = []
        if table.namespace != nil {
            let declared = try db.columns(in: table.cacheTable)
            for (index, column) in table.columns.enumerated() where !table.key.contains(column.name) {
                guard let info = declared.first(where: { $0.name == column.name }), info.isNotNull else { continue }
                if let sql = info.defaultValueSQL {
                    let value = try DatabaseValue.fetchOne(db, sql: "SELECT \(sql)") ?? .null
                    defaults[index] = RowHasher.canonicalText(value, kind: column.kind)
                } else if column.name.hasSuffix("_at") {
                    anyTime.insert(index)
                }
            }
        }
        return ComparedTable(table: table, scope: scope, since: table.since.map { $0.bound(now) }, nullDefaults: defaults,
                             anyWhenNull: anyTime)
    }

    /// The cache's side: its rows of the table, without those under ids at or below 0 (added
    /// while the primary was away) and within the table's window.
    static func source(_ compared: ComparedTable) -> SQLiteDigests.Source {
        let table = compared.table
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let condition = table.cacheCondition { conditions.append("(\(condition))") }
        if let since = table.since, let bound = compared.since {
            conditions.append("\(since.column) >= ?")
            arguments += [bound]
        }
        return SQLiteDigests.Source(table: table.cacheTable, columns: table.columns.map(\.name), conditions: conditions,
                                    arguments: arguments, ranged: table.isRanged)
    }

    static func differing(_ theirs: [Int64: RangeDigest], _ ours: [Int64: RangeDigest]) -> [Int64] {
        Set(theirs.keys).union(ours.keys).filter { theirs[$0] != ours[$0] }.sorted()
    }

    /// The id ranges of `buckets`, adjacent ones merged, within `ids`.
    static func ranges(_ buckets: [Int64], width: Int64, within ids: IDRange) -> [IDRange] {
        var out: [IDRange] = []
        for bucket in buckets.sorted() {
            let lower = max(ids.lower, bucket * width)
            var upper = (bucket + 1) * width
            if let limit = ids.upper { upper = min(upper, limit) }
            if let last = out.last, last.upper == lower {
                out[out.count - 1].upper = upper
            } else {
                out.append(IDRange(lower, upper))
            }
        }
        return out
    }

    /// A row's key columns as one text.
    static func key(_ row: [DatabaseValue], _ indexes: [Int]) -> String {
        indexes.map { index in index < row.count ? row[index].description : "" }.joined(separator: "\u{1F}")
    }
}
