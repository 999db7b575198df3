import Foundation
import GRDB
import PostgresNIO

/// Digests on PostgreSQL: every row's canonical text is built and hashed by the server
/// (`md5`), summed per bucket of ids, so that only the sums cross the wire while the ranges agree.
/// 100,000 tasks take it about 50 ms on loopback.
extension PostgresPrimary: PrimaryDigests {
    /// Asked once a connection (a database behind the URL does not change while it is open), so
    /// `prepare` can ask it ahead of the sync.
    public func identity() async throws -> PrimaryIdentity {
        if let preparing { _ = await preparing.value }
        return try await askIdentity()
    }

    func askIdentity() async throws -> PrimaryIdentity {
        if let knownIdentity { return knownIdentity }
        let log = logger
        let (database, oid, system) = try await run { connection -> (String, Int64, String?) in
            // `pg_control_system()` is refused to ordinary roles on some hosted servers: asked first.
            let query = PostgresQuery(unsafeSQL: """
                SELECT current_database()::text, (SELECT oid::bigint FROM pg_database WHERE datname = current_database()),
                       coalesce(has_function_privilege(to_regprocedure('pg_catalog.pg_control_system()'), 'EXECUTE'), false)
                """)
            var found: (String, Int64, Bool) = ("", 0, false)
            for try await row in try await connection.query(query, logger: log) {
                found = try row.decode((String, Int64, Bool).self)
            }
            var system: String?
            if found.2 {
                let ask = PostgresQuery(unsafeSQL: "SELECT system_identifier::text FROM pg_control_system()")
                do {
                    for try await value in try await connection.query(ask, logger: log).decode(String.self) { system = value }
                } catch {
                    system = nil
                }
            }
            return (found.0, found.1, system)
        }
        let host = Self.endpointHost(url.host)
        let fingerprint = system.map { "postgres system \($0) database \(database) oid \(oid)" }
            ?? "postgres host \(host):\(url.port) database \(database) oid \(oid)"
        let identity = PrimaryIdentity(fingerprint: fingerprint, name: displayName, place: place)
        knownIdentity = identity
        return identity
    }

    public nonisolated var place: String { PrimaryIdentity.place(of: .postgres(url)) }

    /// A Neon endpoint's host without `-pooler`: the pooled and the direct address reach one database.
    static func endpointHost(_ host: String) -> String {
        let lower = host.lowercased()
        guard let dot = lower.firstIndex(of: "."), lower[..<dot].hasSuffix("-pooler") else { return lower }
        return String(lower[..<lower.index(dot, offsetBy: -7)]) + String(lower[dot...])
    }

    public func digests(_ table: ComparedTable, ids: IDRange, width: Int64?, within buckets: [Int64]?,
                        bucketWidth: Int64?) async throws -> [Int64: RangeDigest] {
        let columns = try await columns()
        var statement = PostgresStatement()
        guard let rows = Self.verifiedRows(table, ids: ids, buckets: buckets, bucketWidth: bucketWidth, columns, &statement)
        else { return [:] }
        let bucket = table.table.isRanged ? width.map { "(id::bigint / \(statement.bind($0))::bigint)" } ?? "0" : "0"
        let hash = Self.rowHash(table, columns, &statement)
        // One aggregate over the row's hash, so that it is made once a row, in parallel workers
        // when the server uses them (100,000 tasks: 190 ms on loopback, against 630 ms for two
        // sums of halves, which built every row's text twice).
        let grouping = bucket == "0" ? "" : "GROUP BY 1"
        let query = try statement.query("""
            SELECT \(bucket)::bigint AS b, count(*)::bigint,
                   coalesce(sum(('x' || substr(\(hash), 1, 16))::bit(64)::bigint), 0)::text
            FROM \(table.table.primaryTable) WHERE \(rows) \(grouping)
            """)
        let log = logger
        return try await run { connection in
            var out: [Int64: RangeDigest] = [:]
            for try await row in try await connection.query(query, logger: log) {
                let (bucket, count, sum) = try row.decode((Int64, Int64, String).self)
                guard count > 0 else { continue }
                out[bucket] = RangeDigest(count: count, sum: Int128(sum) ?? 0)
            }
            return out
        }
    }

    public func rowHashes(_ table: ComparedTable, buckets: [Int64], bucketWidth: Int64) async throws -> [Int64: RowHash] {
        let columns = try await columns()
        var statement = PostgresStatement()
        guard table.table.isRanged,
              let rows = Self.verifiedRows(table, ids: .all, buckets: buckets, bucketWidth: bucketWidth, columns, &statement)
        else { return [:] }
        let hash = Self.rowHash(table, columns, &statement)
        let query = try statement.query("""
            SELECT id::bigint, ('x' || substr(\(hash), 1, 16))::bit(64)::bigint FROM \(table.table.primaryTable) WHERE \(rows)
            """)
        let log = logger
        return try await run { connection in
            var out: [Int64: RowHash] = [:]
            for try await row in try await connection.query(query, logger: log) {
                let (id, hash) = try row.decode((Int64, Int64).self)
                out[id] = RowHash(hash)
            }
            return out
        }
    }

    public func rows(_ table: ComparedTable, ids: IDRange, after: Int64?, limit: Int) async throws -> [[DatabaseValue]] {
        let columns = try await columns()
        var statement = PostgresStatement()
        var range = ids
        if let after { range.lower = max(range.lower, after &+ 1) }
        guard let rows = Self.verifiedRows(table, ids: range, buckets: nil, bucketWidth: nil, columns, &statement)
        else { return [] }
        let primaryTable = table.table.primaryTable
        let order = table.table.isRanged ? "ORDER BY \(primaryTable).id LIMIT \(max(1, limit))" : ""
        let query = try statement.query("""
            SELECT \(Self.select(table, columns)) FROM \(primaryTable) WHERE \(rows) \(order)
            """)
        let log = logger
        return try await run { connection in try await Self.rows(connection.query(query, logger: log)) }
    }

    public func rows(_ table: ComparedTable, withIDs ids: [Int64]) async throws -> [[DatabaseValue]] {
        guard table.table.isRanged, !ids.isEmpty else { return [] }
        let columns = try await columns()
        var out: [[DatabaseValue]] = []
        for start in stride(from: 0, to: ids.count, by: 1000) {
            var statement = PostgresStatement()
            guard let rows = Self.verifiedRows(table, ids: .all, buckets: nil, bucketWidth: nil, columns, &statement)
            else { return [] }
            let list = statement.bind(Self.arrayLiteral(ids[start..<min(ids.count, start + 1000)]))
            let query = try statement.query("""
                SELECT \(Self.select(table, columns)) FROM \(table.table.primaryTable)
                WHERE id = ANY(\(list)::bigint[]) AND \(rows)
                """)
            let log = logger
            out += try await run { connection in try await Self.rows(connection.query(query, logger: log)) }
        }
        return out
    }

    public func presence(_ table: ComparedTable, of ids: [Int64]) async throws -> [Int64: Bool] {
        guard table.table.isRanged, !ids.isEmpty else { return [:] }
        let columns = try await columns()
        guard columns.tables[table.table.primaryTable] != nil else { return [:] }
        var out: [Int64: Bool] = [:]
        for start in stride(from: 0, to: ids.count, by: 1000) {
            var statement = PostgresStatement()
            let list = statement.bind(Self.arrayLiteral(ids[start..<min(ids.count, start + 1000)]))
            let belongs = Self.verifiedRows(table, ids: .all, buckets: nil, bucketWidth: nil, columns, &statement) ?? "FALSE"
            let query = try statement.query("""
                SELECT id::bigint, coalesce((\(belongs)), false) FROM \(table.table.primaryTable) WHERE id = ANY(\(list)::bigint[])
                """)
            let log = logger
            let found = try await run { connection in
                var found: [(Int64, Bool)] = []
                for try await row in try await connection.query(query, logger: log) { found.append(try row.decode((Int64, Bool).self)) }
                return found
            }
            for (id, inWindow) in found { out[id] = inWindow }
        }
        return out
    }

    // MARK: SQL

    /// `{1,2,3}`, bound as text and cast to `bigint[]`.
    static func arrayLiteral<C: Collection>(_ ids: C) -> String where C.Element == Int64 {
        "{" + ids.map(String.init).joined(separator: ",") + "}"
    }

    /// The conditions that pick the table's rows in `ids` (and in `buckets`), or nil when the
    /// primary has no such rows at all (a table or column it lacks).
    static func verifiedRows(_ compared: ComparedTable, ids: IDRange, buckets: [Int64]?, bucketWidth: Int64?,
                             _ columns: PostgresColumns, _ statement: inout PostgresStatement) -> String? {
        let table = compared.table
        let name = table.primaryTable
        guard columns.tables[name] != nil, table.requiredPrimaryColumns.allSatisfy({ columns.has(name, $0) }) else { return nil }
        var conditions: [String] = []
        if let namespace = table.namespace {
            conditions += scopeConditions(namespace, compared.scope, columns, &statement)
        }
        if let since = table.since, let bound = compared.since {
            let column = table.columns.first { $0.name == since.column }?.primary ?? since.column
            conditions.append("\(column) >= \(columns.value(statement.bind(bound), name, column))")
        }
        if let condition = table.primaryCondition { conditions.append("(\(condition))") }
        if table.isRanged {
            conditions.append("id >= \(statement.bind(ids.lower))::bigint")
            if let upper = ids.upper { conditions.append("id < \(statement.bind(upper))::bigint") }
            if let buckets, let bucketWidth {
                conditions.append("(id::bigint / \(statement.bind(bucketWidth))::bigint) = ANY(\(statement.bind(arrayLiteral(buckets)))::bigint[])")
            }
        }
        return conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ")
    }

    /// The table's columns as the cache stores them (what a fix writes).
    static func select(_ compared: ComparedTable, _ columns: PostgresColumns) -> String {
        compared.table.columns.map { columns.output(compared.table.primaryTable, $0.primary) }.joined(separator: ", ")
    }

    /// `md5` of the row's canonical text as `RowHasher` builds it: the columns' texts joined by
    /// U+001F, a NULL as U+001E (or as the default the cache stores for it). Each column's text
    /// is built once: PostgreSQL does not share a repeated expression, and building the texts is
    /// most of the query's time.
    static func rowHash(_ compared: ComparedTable, _ columns: PostgresColumns, _ statement: inout PostgresStatement) -> String {
        let name = compared.table.primaryTable
        let fields = compared.table.columns.enumerated().map { index, column -> String in
            let text = Self.canonical(column, in: name, columns)
            if index < compared.nullDefaults.count, let fallback = compared.nullDefaults[index] {
                return "coalesce(\(text), \(statement.bind(fallback))::text)"
            }
            return "coalesce(\(text), chr(30))"
        }
        return "md5(concat_ws(chr(31), \(fields.joined(separator: ", "))))"
    }

    /// One column's canonical text (`RowHasher`): a timestamp as its milliseconds since 1970
    /// (UTC: a `timestamp` column holds UTC wall-clock time, which `date_part` reads as it is), JSON
    /// as `jsonb` prints it, a number's digits, otherwise the cache's representation.
    static func canonical(_ column: VerifiedTable.Column, in table: String, _ columns: PostgresColumns) -> String {
        guard let kind = columns.kind(table, column.primary) else { return "NULL::text" }
        switch (kind, column.kind) {
        case (.timestamp, .timestamp), (.timestamptz, .timestamp):
            // `date_part` is a double (in every version; `extract` became an exact numeric in 14,
            // at twice the cost). Microseconds since 1970 fit its 52 bits until long after 2100,
            // so adding half a microsecond before the floor gives the exact millisecond (held
            // against `extract` on 2.4 million values, microsecond ones and 1969 included).
            return "floor(date_part('epoch', \(column.primary)) * 1000 + 0.0005)::bigint::text"
        case (.json, .json):
            return "(\(column.primary))::jsonb::text"
        case (.integer, _):
            return "\(column.primary)::text"
        default:
            return "(\(columns.select(table, column.primary)))::text"
        }
    }
}
