import Foundation
import GRDB
import GRDBSQLite

/// Digests of a SQLite table (the cache's, or a SQLite primary's) computed in SQL: a function
/// registered on the connection (`tally_row_hash`) hashes each row's canonical text as
/// `RowHasher` builds it, and SQL sums the hashes per bucket of ids, as PostgreSQL does.
enum SQLiteDigests {
    /// Where one side's rows are: the table, its column names in `compared.table.columns` order,
    /// and the conditions that pick the compared rows.
    struct Source {
        var table: String
        var columns: [String]
        var conditions: [String]
        var arguments: StatementArguments
        var ranged: Bool

        /// The conditions with `ids` and the buckets added.
        func condition(ids: IDRange, buckets: [Int64]?, bucketWidth: Int64?) -> (String, StatementArguments) {
            var conditions = self.conditions
            var arguments = self.arguments
            if ranged {
                conditions.append("id >= ?")
                arguments += [ids.lower]
                if let upper = ids.upper {
                    conditions.append("id < ?")
                    arguments += [upper]
                }
                if let buckets, let bucketWidth {
                    // Integers of our own, written into the SQL: no limit on their number.
                    conditions.append("(id / \(bucketWidth)) IN (\(buckets.map(String.init).joined(separator: ", ")))")
                }
            }
            return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
        }
    }

    static func digests(_ db: Database, _ source: Source, _ compared: ComparedTable, ids: IDRange, width: Int64?,
                        buckets: [Int64]?, bucketWidth: Int64?) throws -> [Int64: RangeDigest] {
        let function = try register(compared, on: db)
        try registerSum(on: db)
        let (condition, arguments) = source.condition(ids: ids, buckets: buckets, bucketWidth: bucketWidth)
        let bucket = source.ranged ? width.map { "(id / \($0))" } ?? "0" : "0"
        var out: [Int64: RangeDigest] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT \(bucket) AS b, count(*), \(sumName)(\(function)(\(source.columns.joined(separator: ", "))))
            FROM \(source.table) WHERE \(condition)\(bucket == "0" ? "" : " GROUP BY b")
            """, arguments: arguments) {
            // (Without a grouping, an empty range still gives one row, of count 0.)
            let count: Int64 = row[1]
            guard count > 0 else { continue }
            out[row[0]] = RangeDigest(count: count, sum: Int128(row[2] as String? ?? "0") ?? 0)
        }
        return out
    }

    static func rowHashes(_ db: Database, _ source: Source, _ compared: ComparedTable, buckets: [Int64],
                          bucketWidth: Int64) throws -> [Int64: RowHash] {
        guard source.ranged else { return [:] }
        let function = try register(compared, on: db)
        let (condition, arguments) = source.condition(ids: .all, buckets: buckets, bucketWidth: bucketWidth)
        var out: [Int64: RowHash] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT id, \(function)(\(source.columns.joined(separator: ", "))) FROM \(source.table) WHERE \(condition)
            """, arguments: arguments)
        while let row = try rows.next() { out[row[0]] = RowHash(row[1]) }
        return out
    }

    static func rows(_ db: Database, _ source: Source, ids: IDRange, after: Int64?, limit: Int) throws -> [[DatabaseValue]] {
        var range = ids
        if let after { range.lower = max(range.lower, after &+ 1) }
        var (condition, arguments) = source.condition(ids: range, buckets: nil, bucketWidth: nil)
        var tail = ""
        if source.ranged {
            tail = " ORDER BY id LIMIT ?"
            arguments += [max(1, limit)]
        }
        return try Row.fetchAll(db, sql: "SELECT \(source.columns.joined(separator: ", ")) FROM \(source.table) WHERE \(condition)\(tail)",
                                arguments: arguments).map { Array($0.databaseValues) }
    }

    static func rows(_ db: Database, _ source: Source, withIDs ids: [Int64]) throws -> [[DatabaseValue]] {
        guard source.ranged, !ids.isEmpty else { return [] }
        let (condition, arguments) = source.condition(ids: .all, buckets: nil, bucketWidth: nil)
        var out: [[DatabaseValue]] = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let batch = ids[start..<min(ids.count, start + 500)]
            out += try Row.fetchAll(db, sql: """
                SELECT \(source.columns.joined(separator: ", ")) FROM \(source.table)
                WHERE id IN (\(batch.map(String.init).joined(separator: ", "))) AND \(condition)
                """, arguments: arguments).map { Array($0.databaseValues) }
        }
        return out
    }

    // MARK: The row hash function and the sum of hashes

    static let sumName = "tally_hash_sum"

    /// Registers `tally_hash_sum`, an aggregate that adds 64-bit hashes exactly (SQLite's `sum`
    /// fails on overflow) and gives the sum as decimal text, as PostgreSQL's `numeric` does.
    static func registerSum(on db: Database) throws {
        let code = sqlite3_create_function_v2(
            db.sqliteConnection, sumName, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, nil,
            { context, _, values in
                guard let context, let values,
                      let total = sqlite3_aggregate_context(context, Int32(MemoryLayout<Int128>.size))?
                        .assumingMemoryBound(to: Int128.self) else { return }
                total.pointee += Int128(sqlite3_value_int64(values[0]))
            },
            { context in
                guard let context else { return }
                let total = sqlite3_aggregate_context(context, 0)?.assumingMemoryBound(to: Int128.self).pointee ?? 0
                sqlite3_result_text(context, String(total), -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            },
            nil)
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register \(sumName)") }
    }

    /// What the registered function hashes with; one per registration, so per connection.
    final class HashState {
        var hasher: RowHasher

        init(_ hasher: consuming RowHasher) {
            self.hasher = hasher
        }
    }

    /// Registers `tally_row_hash` for `compared` on this connection (replacing an earlier one) and
    /// returns its name. Written against SQLite's C API: GRDB's `DatabaseFunction` made an array
    /// of values and a `String` per column of every row, several times the hashing itself.
    static func register(_ compared: ComparedTable, on db: Database) throws -> String {
        let name = "tally_row_hash"
        let state = Unmanaged.passRetained(HashState(compared.hasher())).toOpaque()
        let code = sqlite3_create_function_v2(
            db.sqliteConnection, name, Int32(compared.table.columns.count), SQLITE_UTF8 | SQLITE_DETERMINISTIC, state,
            { context, count, values in
                guard let context, let values, let user = sqlite3_user_data(context) else { return }
                let state = Unmanaged<HashState>.fromOpaque(user).takeUnretainedValue()
                sqlite3_result_int64(context, state.hasher.hash(count: count, values: values))
            },
            nil, nil,
            { user in if let user { Unmanaged<HashState>.fromOpaque(user).release() } })
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "could not register \(name)") }
        return name
    }
}
