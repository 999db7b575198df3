import Foundation
import GRDB
import Logging
import PostgresNIO

/// A `PrimaryTransaction` on PostgreSQL: every value is written and read for its column's real
/// type (`PostgresColumns`), so a WorkOS database is used exactly as its migrations made it.
struct PostgresTransaction: PrimaryTransaction {
    let connection: PostgresConnection
    let columns: PostgresColumns
    let logger: Logger
    let shown: String

    func has(_ table: String, _ column: String?) -> Bool {
        guard let column else { return columns.tables[table] != nil }
        return columns.has(table, column)
    }

    /// The placeholder for `value` as a value of `table.column`.
    private func bind(_ value: DatabaseValue, _ table: String, _ column: String, _ statement: inout PostgresStatement) -> String {
        columns.value(statement.bind(value), table, column)
    }

    private func check(_ table: String, _ names: some Sequence<String>) throws {
        try PrimarySQL.checkIdentifier(table)
        for name in names { try PrimarySQL.checkIdentifier(name) }
    }

    private func conditions(_ table: String, _ conditions: [PrimaryCondition], _ statement: inout PostgresStatement) throws -> String {
        try check(table, conditions.map(\.column))
        for condition in conditions where !columns.has(table, condition.column) {
            throw TallyError.primarySchema(shown, reason: "no column \(table).\(condition.column)")
        }
        var bound = statement
        let clause = PrimarySQL.whereClause(conditions) { column, value in bind(value, table, column, &bound) }
        statement = bound
        return clause
    }

    func rows(_ table: String, _ names: [String], where conditions: [PrimaryCondition], order: [PrimaryOrder],
              limit: Int?, lock: Bool) async throws -> [PrimaryRow] {
        try check(table, names + order.map(\.column))
        var statement = PostgresStatement()
        let selected = names.map { columns.output(table, $0) }.joined(separator: ", ")
        var sql = "SELECT \(selected) FROM \(table)" + (try self.conditions(table, conditions, &statement))
        sql += PrimarySQL.orderClause(order.filter { columns.has(table, $0.column) })
        if let limit { sql += " LIMIT \(max(0, limit))" }
        if lock { sql += " FOR UPDATE" }
        let values = try await PostgresPrimary.rows(connection.query(statement.query(sql), logger: logger))
        return values.map { PrimaryRow(Dictionary(zip(names, $0), uniquingKeysWith: { first, _ in first })) }
    }

    func insert(_ table: String, _ values: [String: DatabaseValue]) async throws -> Int64? {
        try check(table, values.keys)
        var statement = PostgresStatement()
        let present = values.filter { columns.has(table, $0.key) && !$0.value.isNull }.sorted { $0.key < $1.key }
        let names = present.map(\.key).joined(separator: ", ")
        let placeholders = present.map { bind($0.value, table, $0.key, &statement) }.joined(separator: ", ")
        let returnsID = columns.kind(table, "id") == .integer
        var sql = present.isEmpty ? "INSERT INTO \(table) DEFAULT VALUES" : "INSERT INTO \(table) (\(names)) VALUES (\(placeholders))"
        if returnsID { sql += " RETURNING id::bigint" }
        let rows = try await PostgresPrimary.rows(connection.query(statement.query(sql), logger: logger))
        return returnsID ? rows.first?.first.flatMap { Int64.fromDatabaseValue($0) } : nil
    }

    /// `column = …` for an assignment.
    private func assignment(_ table: String, _ column: String, _ value: PrimaryAssignment,
                            _ statement: inout PostgresStatement) -> String {
        switch value {
        case .value(let value): return "\(column) = \(bind(value, table, column, &statement))"
        case .add(let n): return "\(column) = greatest(0, coalesce(\(table).\(column), 0) + \(statement.bind(Int64(n)))::bigint)"
        }
    }

    func update(_ table: String, set values: [String: PrimaryAssignment], where conditions: [PrimaryCondition]) async throws -> Int {
        try check(table, values.keys)
        var statement = PostgresStatement()
        let sets = values.filter { columns.has(table, $0.key) }.sorted { $0.key < $1.key }
            .map { assignment(table, $0.key, $0.value, &statement) }
        guard !sets.isEmpty else { return 0 }
        let clause = try self.conditions(table, conditions, &statement)
        let sql = "WITH changed AS (UPDATE \(table) SET \(sets.joined(separator: ", "))\(clause) RETURNING 1) SELECT count(*)::bigint FROM changed"
        let rows = try await PostgresPrimary.rows(connection.query(statement.query(sql), logger: logger))
        return rows.first?.first.flatMap { Int.fromDatabaseValue($0) } ?? 0
    }

    func upsert(_ table: String, _ values: [String: DatabaseValue], conflict: [String],
                update: [String: PrimaryAssignment]) async throws {
        try check(table, Array(values.keys) + conflict + Array(update.keys))
        var statement = PostgresStatement()
        let present = values.filter { columns.has(table, $0.key) && !$0.value.isNull }.sorted { $0.key < $1.key }
        let names = present.map(\.key).joined(separator: ", ")
        let placeholders = present.map { bind($0.value, table, $0.key, &statement) }.joined(separator: ", ")
        let sets = update.filter { columns.has(table, $0.key) }.sorted { $0.key < $1.key }
            .map { assignment(table, $0.key, $0.value, &statement) }
        let action = sets.isEmpty ? "DO NOTHING" : "DO UPDATE SET \(sets.joined(separator: ", "))"
        let sql = "INSERT INTO \(table) (\(names)) VALUES (\(placeholders)) ON CONFLICT (\(conflict.joined(separator: ", "))) \(action)"
        try await connection.query(statement.query(sql), logger: logger)
    }

    func delete(_ table: String, where conditions: [PrimaryCondition]) async throws -> Int {
        var statement = PostgresStatement()
        let clause = try self.conditions(table, conditions, &statement)
        let sql = "WITH gone AS (DELETE FROM \(table)\(clause) RETURNING 1) SELECT count(*)::bigint FROM gone"
        let rows = try await PostgresPrimary.rows(connection.query(statement.query(sql), logger: logger))
        return rows.first?.first.flatMap { Int.fromDatabaseValue($0) } ?? 0
    }
}

extension PostgresPrimary {
    /// One transaction on the writes connection, in `PostgresTransaction` terms.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any PrimaryTransaction) async throws -> T) async throws -> T {
        let columns = try await columns()
        let log = logger
        let shown = displayName
        return try await inTransaction { connection in
            try await body(PostgresTransaction(connection: connection, columns: columns, logger: log, shown: shown))
        }
    }
}
