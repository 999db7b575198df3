import Foundation
import GRDB

/// A short fingerprint of a life table's rows, so a sync that finds them as they were writes
/// nothing. PostgreSQL computes its own (an md5 of the rows as JSON, in the database); a local
/// SQLite primary reads its rows anyway, and this is FNV-1a over them.
enum LifeDigest {
    static func of(_ rows: [[DatabaseValue]]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        for row in rows {
            for value in row {
                switch value.storage {
                case .null: mix([0])
                case .int64(let v): mix([1]); mix(String(v).utf8)
                case .double(let v): mix([2]); mix(String(v).utf8)
                case .string(let v): mix([3]); mix(v.utf8)
                case .blob(let v): mix([4]); mix(v)
                }
                mix([0x1F])
            }
            mix([0x1E])
        }
        return "fnv:" + String(hash, radix: 16) + ":\(rows.count)"
    }

    /// Rows of a JSON array of arrays (PostgreSQL's `json_agg(json_build_array(…))`) as cache
    /// values: whole numbers as integers, text as text, null as NULL.
    static func rows(fromJSON value: Any?) -> [[DatabaseValue]] {
        guard let list = value as? [Any] else { return [] }
        return list.compactMap { item in
            (item as? [Any]).map { $0.map(databaseValue) }
        }
    }

    static func databaseValue(_ item: Any) -> DatabaseValue {
        switch item {
        case is NSNull: return .null
        case let text as String: return text.databaseValue
        case let number as NSNumber:
            // JSONSerialization gives booleans as NSNumber too; the queries send none.
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 9e15 { return Int64(double).databaseValue }
            return double.databaseValue
        default:
            if let data = try? JSONSerialization.data(withJSONObject: item), let text = String(data: data, encoding: .utf8) {
                return text.databaseValue
            }
            return .null
        }
    }
}
