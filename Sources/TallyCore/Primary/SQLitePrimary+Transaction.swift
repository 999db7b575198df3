import Foundation
import GRDB

/// A `PrimaryTransaction` on a SQLite primary. The transaction stays open across the write's
/// `await`s (`BEGIN IMMEDIATE` … `COMMIT`, each statement its own access to the pool's writer),
/// which is why the pool allows it (`allowsUnsafeTransactions`) and why one transaction at a
/// time holds `SQLitePrimary.writes`.
struct SQLiteTransaction: PrimaryTransaction {
    let pool: DatabasePool
    let shown: String
    /// Table → its columns, read once per transaction.
    let schema: [String: Set<String>]

    func has(_ table: String, _ column: String?) -> Bool {
        guard let columns = schema[table] else { return false }
        return column.map(columns.contains) ?? true
    }

    private func check(_ table: String, _ names: some Sequence<String>) throws {
        try PrimarySQL.checkIdentifier(table)
        for name in names { try PrimarySQL.checkIdentifier(name) }
    }

    private func clause(_ table: String, _ conditions: [PrimaryCondition]) throws -> (String, [DatabaseValue]) {
        try check(table, conditions.map(\.column))
        for condition in conditions where !has(table, condition.column) {
            throw TallyError.primarySchema(shown, reason: "no column \(table).\(condition.column)")
        }
        var values: [DatabaseValue] = []
        let sql = PrimarySQL.whereClause(conditions) { _, value in
            values.append(value)
            return "?"
        }
        return (sql, values)
    }

    func rows(_ table: String, _ names: [String], where conditions: [PrimaryCondition], order: [PrimaryOrder],
              limit: Int?, lock: Bool) async throws -> [PrimaryRow] {
        try check(table, names + order.map(\.column))
        let (whereSQL, values) = try clause(table, conditions)
        let selected = names.map { has(table, $0) ? $0 : "NULL AS \($0)" }.joined(separator: ", ")
        var sql = "SELECT \(selected) FROM \(table)\(whereSQL)" + PrimarySQL.orderClause(order.filter { has(table, $0.column) })
        if let limit { sql += " LIMIT \(max(0, limit))" }
        let statement = sql
        return try await run { db in
            try Row.fetchAll(db, sql: statement, arguments: StatementArguments(values)).map { row in
                PrimaryRow(Dictionary(zip(names, names.map { row.value($0) }), uniquingKeysWith: { first, _ in first }))
            }
        }
    }

    func insert(_ table: String, _ values: [String: DatabaseValue]) async throws -> Int64? {
        try check(table, values.keys)
        let present = values.filter { has(table, $0.key) && !$0.value.isNull }.sorted { $0.key < $1.key }
        let sql = present.isEmpty
            ? "INSERT INTO \(table) DEFAULT VALUES"
            : "INSERT INTO \(table) (\(present.map(\.key).joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: present.count)))"
        let arguments = present.map(\.value)
        let hasID = has(table, "id")
        return try await run { db in
            try db.execute(sql: sql, arguments: StatementArguments(arguments))
            return hasID ? db.lastInsertedRowID : nil
        }
    }

    private func assignments(_ table: String, _ values: [String: PrimaryAssignment]) -> (String, [DatabaseValue]) {
        var arguments: [DatabaseValue] = []
        let sets = values.filter { has(table, $0.key) }.sorted { $0.key < $1.key }.map { column, value -> String in
            switch value {
            case .value(let value):
                arguments.append(value)
                return "\(column) = ?"
            case .add(let n):
                arguments.append(n.databaseValue)
                return "\(column) = max(0, coalesce(\(column), 0) + ?)"
            }
        }
        return (sets.joined(separator: ", "), arguments)
    }

    func update(_ table: String, set values: [String: PrimaryAssignment], where conditions: [PrimaryCondition]) async throws -> Int {
        try check(table, values.keys)
        let (sets, setValues) = assignments(table, values)
        guard !sets.isEmpty else { return 0 }
        let (whereSQL, whereValues) = try clause(table, conditions)
        let sql = "UPDATE \(table) SET \(sets)\(whereSQL)"
        return try await run { db in
            try db.execute(sql: sql, arguments: StatementArguments(setValues + whereValues))
            return db.changesCount
        }
    }

    func upsert(_ table: String, _ values: [String: DatabaseValue], conflict: [String],
                update: [String: PrimaryAssignment]) async throws {
        try check(table, Array(values.keys) + conflict + Array(update.keys))
        let present = values.filter { has(table, $0.key) && !$0.value.isNull }.sorted { $0.key < $1.key }
        let (sets, setValues) = assignments(table, update)
        let action = sets.isEmpty ? "DO NOTHING" : "DO UPDATE SET \(sets)"
        let sql = """
            INSERT INTO \(table) (\(present.map(\.key).joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: present.count)))
            ON CONFLICT (\(conflict.joined(separator: ", "))) \(action)
            """
        let arguments = present.map(\.value) + setValues
        try await run { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    func delete(_ table: String, where conditions: [PrimaryCondition]) async throws -> Int {
        let (whereSQL, values) = try clause(table, conditions)
        let sql = "DELETE FROM \(table)\(whereSQL)"
        return try await run { db in
            try db.execute(sql: sql, arguments: StatementArguments(values))
            return db.changesCount
        }
    }

    private func run<T: Sendable>(_ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.writeWithoutTransaction(block) }
        catch let error as DatabaseError { throw SQLitePrimary.translate(error, shown: shown) }
    }
}

extension SQLitePrimary {
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any PrimaryTransaction) async throws -> T) async throws -> T {
        let pool = self.pool
        let shown = displayName
        return try await writes.withLock {
            do {
                let schema = try await pool.writeWithoutTransaction { db -> [String: Set<String>] in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    var schema: [String: Set<String>] = [:]
                    for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                        schema[table] = Set(try db.columns(in: table).map(\.name))
                    }
                    return schema
                }
                do {
                    let value = try await body(SQLiteTransaction(pool: pool, shown: shown, schema: schema))
                    try await pool.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
                    return value
                } catch {
                    _ = try? await pool.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
                    throw error
                }
            } catch let error as DatabaseError {
                throw Self.translate(error, shown: shown)
            }
        }
    }

    /// What a SQLite error means to a write: a busy or unreadable file is the primary being
    /// away (queued, replayed later), a missing table its schema, a broken constraint a conflict.
    static func translate(_ error: DatabaseError, shown: String) -> TallyError {
        let message = error.message ?? "SQLite error \(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_CONSTRAINT:
            return .conflict("\(shown) refused the write: \(message).")
        case .SQLITE_ERROR where message.contains("no such table") || message.contains("no such column")
                                 || message.contains("has no column"):
            return .primarySchema(shown, reason: message)
        default:
            return .primaryUnreachable(shown, reason: message)
        }
    }
}
