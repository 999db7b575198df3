import Foundation
import GRDB
import GRDBSQLite

/// Tolerant column reads: another program writes the cache, so a column may hold NULL or a value
/// of the wrong type. GRDB's plain subscripts stop the process on a failed conversion; these
/// return nil instead.
extension Row {
    func int(_ column: String) -> Int? { Self.int64(value(column)).map { Int(truncatingIfNeeded: $0) } }
    func int64(_ column: String) -> Int64? { Self.int64(value(column)) }
    func text(_ column: String) -> String? { Self.text(value(column)) }

    /// The same reads by column position, for tables read whole (a look-up by name per field
    /// costs more than the read on years of rows).
    func int(at index: Int) -> Int? { Self.int64(value(at: index)).map { Int(truncatingIfNeeded: $0) } }
    func int64(at index: Int) -> Int64? { Self.int64(value(at: index)) }
    func text(at index: Int) -> String? { Self.text(value(at: index)) }

    /// The value as SQLite holds it (NULL for a column the row lacks). GRDB's typed subscript
    /// (`row[column] as DatabaseValue`) is generic and looks up `Optional`'s type metadata on
    /// every field: reading today's done tasks and five years of goal rows spent more time there
    /// than in SQLite. The untyped subscript returns the same value without it.
    func value(_ column: String) -> DatabaseValue { Self.value(self[column]) }
    func value(at index: Int) -> DatabaseValue { Self.value(self[index]) }

    private static func value(_ value: (any DatabaseValueConvertible)?) -> DatabaseValue {
        value?.databaseValue ?? .null
    }

    func bool(_ column: String) -> Bool? {
        int(column).map { $0 != 0 }
    }

    static func int64(_ value: DatabaseValue) -> Int64? {
        switch value.storage {
        case .int64(let v): return v
        case .double(let v): return v.isFinite && abs(v) < 9e15 ? Int64(v) : nil
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .string(let s): return s
        case .int64(let v): return String(v)
        case .double(let v): return String(v)
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case .null: return nil
        }
    }
}

/// The current row of a statement being stepped, read by column position straight from SQLite,
/// with `Row`'s tolerant rules: integers and text are taken as SQLite stores them, and anything
/// else goes through `Row.int64` / `Row.text`. For reads of many rows in every frame (years of
/// goal rows, a month of check-ins), where a `DatabaseValue` or a look-up by name per field cost
/// more than SQLite's reading of them.
struct StatementColumns {
    let statement: SQLiteStatement

    init(_ statement: Statement) { self.statement = statement.sqliteStatement }

    func int64(_ index: CInt) -> Int64? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, index)
        case SQLITE_NULL: return nil
        default: return Row.int64(DatabaseValue(sqliteStatement: statement, index: index))
        }
    }

    func int(_ index: CInt) -> Int? { int64(index).map { Int(truncatingIfNeeded: $0) } }

    func text(_ index: CInt) -> String? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_TEXT:
            guard let bytes = sqlite3_column_text(statement, index) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self)
        case SQLITE_NULL: return nil
        default: return Row.text(DatabaseValue(sqliteStatement: statement, index: index))
        }
    }
}
