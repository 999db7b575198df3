import Foundation
import GRDB
@testable import TallyCore
import XCTest

/// The keys a window's replacement keeps go to SQLite's `json_each` as a JSON array written by
/// hand; SQLite must read back exactly the values given, whatever the text holds.
final class LifeStoreJSONTests: XCTestCase {
    func testTheKeysReadBackThroughJSONEach() throws {
        let keys: [DatabaseValue] = [1.databaseValue, (-42).databaseValue, Int64.max.databaseValue, "2026-12-06".databaseValue,
                                     "quote \" backslash \\ slash / tab \t newline \n bell \u{07} é ✓ 🧘".databaseValue,
                                     2.5.databaseValue, DatabaseValue.null, "".databaseValue]
        let list = LifeStore.jsonArray(keys)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(list.utf8)), list)
        let back = try DatabaseQueue().read { db in
            try Row.fetchAll(db, sql: "SELECT value FROM json_each(?) ORDER BY key", arguments: [list]).map { $0[0] as DatabaseValue }
        }
        XCTAssertEqual(back, keys)
        XCTAssertEqual(LifeStore.jsonArray([]), "[]")
    }
}
