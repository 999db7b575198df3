import GRDB
import GRDBSQLite

/// Rows read and written as plain arrays of values, in the statement's column order: what the
/// sync carries between a primary and the cache. Both sides go straight to SQLite's columns and
/// bindings; GRDB's `Row` and `StatementArguments` made a copy of each row on the way (a `Row`
/// with its columns' names, an argument boxed per value), most of a million-task demo's reads
/// and writes outside SQLite itself.
enum ValueRows {
    /// Every row `statement` returns for `arguments`.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments = StatementArguments()) throws -> [[DatabaseValue]] {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let raw = statement.sqliteStatement
        let width = Int32(statement.columnCount)
        var rows: [[DatabaseValue]] = []
        while try cursor.next() != nil {
            var values: [DatabaseValue] = []
            values.reserveCapacity(Int(width))
            for index in 0..<width { values.append(DatabaseValue(sqliteStatement: raw, index: index)) }
            rows.append(values)
        }
        return rows
    }

    /// Runs `statement` once per row of `rows`, its parameters bound from the row's values in
    /// order (a row shorter than the parameters leaves the rest NULL).
    static func execute(_ statement: Statement, rows: some Sequence<[DatabaseValue]>) throws {
        statement.setUncheckedArguments(StatementArguments())
        let raw = statement.sqliteStatement
        let parameters = Int(sqlite3_bind_parameter_count(raw))
        for row in rows {
            sqlite3_reset(raw)  // a statement that ran takes new bindings only after a reset
            sqlite3_clear_bindings(raw)
            for index in 0..<min(row.count, parameters) {
                let code = CacheRows.bind(row[index], at: Int32(index + 1), in: raw)
                guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            }
            try statement.execute()
        }
    }
}
