import Foundation
import GRDB

/// Digests on a SQLite primary: the same registered function and SQL as the cache's side
/// (`SQLiteDigests`), over the primary's tables and scope.
extension SQLitePrimary: PrimaryDigests {
    /// The file's identity (device and inode): a file made anew, or another file at the same
    /// path, is another primary.
    public func identity() async throws -> PrimaryIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TallyError.primaryUnreachable(displayName, reason: "no such file")
        }
        return PrimaryIdentity(fingerprint: "sqlite file \(info.st_dev):\(info.st_ino)", name: displayName, place: path)
    }

    public var place: String { path }

    /// The primary's rows of the table, or nil when it lacks the table or a column it needs.
    func verifiedSource(_ compared: ComparedTable, _ db: Database) throws -> SQLiteDigests.Source? {
        let table = compared.table
        guard try db.tableExists(table.primaryTable) else { return nil }
        let present = Set(try db.columns(in: table.primaryTable).map(\.name))
        guard table.requiredPrimaryColumns.allSatisfy(present.contains) else { return nil }
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let namespace = table.namespace {
            let (condition, scopeArguments) = Self.conditions(namespace, after: nil, order: .ids, scope: compared.scope)
            conditions.append(condition)
            arguments += scopeArguments
        }
        if let since = table.since, let bound = compared.since {
            let column = table.columns.first { $0.name == since.column }?.primary ?? since.column
            conditions.append("\(column) >= ?")
            arguments += [bound]
        }
        if let condition = table.primaryCondition { conditions.append("(\(condition))") }
        let columns = table.columns.map { present.contains($0.primary) ? $0.primary : "NULL" }
        return SQLiteDigests.Source(table: table.primaryTable, columns: columns, conditions: conditions, arguments: arguments,
                                    ranged: table.isRanged)
    }

    public func digests(_ table: ComparedTable, ids: IDRange, width: Int64?, within buckets: [Int64]?,
                        bucketWidth: Int64?) async throws -> [Int64: RangeDigest] {
        try await mapped { db in
            guard let source = try self.verifiedSource(table, db) else { return [:] }
            return try SQLiteDigests.digests(db, source, table, ids: ids, width: width, buckets: buckets, bucketWidth: bucketWidth)
        }
    }

    public func rowHashes(_ table: ComparedTable, buckets: [Int64], bucketWidth: Int64) async throws -> [Int64: RowHash] {
        try await mapped { db in
            guard let source = try self.verifiedSource(table, db) else { return [:] }
            return try SQLiteDigests.rowHashes(db, source, table, buckets: buckets, bucketWidth: bucketWidth)
        }
    }

    public func rows(_ table: ComparedTable, ids: IDRange, after: Int64?, limit: Int) async throws -> [[DatabaseValue]] {
        try await mapped { db in
            guard let source = try self.verifiedSource(table, db) else { return [] }
            return try SQLiteDigests.rows(db, source, ids: ids, after: after, limit: limit)
        }
    }

    public func rows(_ table: ComparedTable, withIDs ids: [Int64]) async throws -> [[DatabaseValue]] {
        try await mapped { db in
            guard let source = try self.verifiedSource(table, db) else { return [] }
            return try SQLiteDigests.rows(db, source, withIDs: ids)
        }
    }

    public func presence(_ table: ComparedTable, of ids: [Int64]) async throws -> [Int64: Bool] {
        try await mapped { db in
            guard table.table.isRanged, !ids.isEmpty, try db.tableExists(table.table.primaryTable) else { return [:] }
            let (condition, arguments) = try self.verifiedSource(table, db)?.condition(ids: .all, buckets: nil, bucketWidth: nil)
                ?? ("0", StatementArguments())
            var out: [Int64: Bool] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let batch = ids[start..<min(ids.count, start + 500)]
                for row in try Row.fetchAll(db, sql: """
                    SELECT id, coalesce((\(condition)), 0) FROM \(table.table.primaryTable)
                    WHERE id IN (\(batch.map(String.init).joined(separator: ", ")))
                    """, arguments: arguments) {
                    out[row[0]] = row[1] as Bool
                }
            }
            return out
        }
    }
}
