import Foundation
import GRDB

/// Tolerant column reads: another program writes the cache, so a column may hold NULL or a value
/// of the wrong type. GRDB's plain subscripts stop the process on a failed conversion; these
/// return nil instead.
extension Row {
    func int(_ column: String) -> Int? {
        let value: DatabaseValue = self[column]
        switch value.storage {
        case .int64(let v): return Int(truncatingIfNeeded: v)
        case .double(let v): return v.isFinite && abs(v) < 9e15 ? Int(v) : nil
        case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    func int64(_ column: String) -> Int64? {
        let value: DatabaseValue = self[column]
        switch value.storage {
        case .int64(let v): return v
        case .double(let v): return v.isFinite && abs(v) < 9e15 ? Int64(v) : nil
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    func text(_ column: String) -> String? {
        let value: DatabaseValue = self[column]
        switch value.storage {
        case .string(let s): return s
        case .int64(let v): return String(v)
        case .double(let v): return String(v)
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case .null: return nil
        }
    }

    /// The same reads by column position, for tables read whole (a look-up by name per field
    /// costs more than the read on years of rows).
    func int(at index: Int) -> Int? { int64(at: index).map { Int(truncatingIfNeeded: $0) } }

    func int64(at index: Int) -> Int64? {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .int64(let v): return v
        case .double(let v): return v.isFinite && abs(v) < 9e15 ? Int64(v) : nil
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    func text(at index: Int) -> String? {
        let value: DatabaseValue = self[index]
        switch value.storage {
        case .string(let s): return s
        case .int64(let v): return String(v)
        case .double(let v): return String(v)
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case .null: return nil
        }
    }

    func bool(_ column: String) -> Bool? {
        int(column).map { $0 != 0 }
    }
}
