import Foundation
import GRDB

/// Tolerant column reads: another program writes the cache, so a column may hold NULL or a value
/// of the wrong type. GRDB's plain subscripts stop the process on a failed conversion; these
/// return nil instead.
extension Row {
    func int(_ column: String) -> Int? { Self.int64(self[column]).map { Int(truncatingIfNeeded: $0) } }
    func int64(_ column: String) -> Int64? { Self.int64(self[column]) }
    func text(_ column: String) -> String? { Self.text(self[column]) }

    /// The same reads by column position, for tables read whole (a look-up by name per field
    /// costs more than the read on years of rows).
    func int(at index: Int) -> Int? { Self.int64(self[index]).map { Int(truncatingIfNeeded: $0) } }
    func int64(at index: Int) -> Int64? { Self.int64(self[index]) }
    func text(at index: Int) -> String? { Self.text(self[index]) }

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
