import Foundation
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The cache's side of a digest writes JSON as PostgreSQL's `jsonb` prints it: checked against a
/// real server for the forms other writers use (key order, spacing, escapes, numbers).
final class CanonicalJSONTests: XCTestCase {
    static let inputs = [
        #"[]"#, #"{}"#, #"[ ]"#, #"{ }"#, #"null"#, #"true"#, #""text""#, #"0"#, #"-0"#, #"-0.0"#, #"0.10"#,
        #"1e2"#, #"1E+2"#, #"1.5e1"#, #"1.50e1"#, #"1e-2"#, #"-12.5e-3"#, #"123456789012345678901234567890"#,
        #"[{"title":"Outline","done":true},{"title":"Draft","done":false}]"#,
        #"[{"done": true, "title": "Outline"}]"#,
        #"{"b":1,"a":2,"aa":3,"ab":[1,2,{"z":null,"y":false}]}"#,
        #"{"dup":1,"dup":2,"x":{"dup":"a","dup":"b"}}"#,
        #"["tab\tnl\nquote\"back\\slash\/ctl\u0001\u001fdel\u007f"]"#,
        #"["\u00e9\u00fc caf\u00e9 😀 \ud83d\ude00 €"]"#,
        #"["\b\f\r"]"#,
        "[\n  {\"title\": \"Spaced\" ,\n   \"done\" : false }\n]",
        #"{"":1,"a":{},"b":[]}"#,
        #"[1, 2.0, -3.25, 4.000, 0.001, 1e0]"#,
    ]

    func testTheCachesJSONIsJsonbsText() throws {
        let url = try PostgresServer.freshDatabase("json")
        for input in Self.inputs {
            let quoted = input.replacingOccurrences(of: "'", with: "''")
            let result = PostgresServer.psql(url, "SELECT ('\(quoted)')::jsonb::text")
            XCTAssertEqual(result.status, 0, "\(input): \(result.output)")
            let expected = String(result.output.dropLast(result.output.hasSuffix("\n") ? 1 : 0))
            let ours = Array(input.utf8).withUnsafeBufferPointer { CanonicalJSON.canonical($0) }
            XCTAssertEqual(ours.map { String(decoding: $0, as: UTF8.self) } ?? input, expected, input)
            // jsonb's own text is taken as it is, without a rewrite.
            let again = Array(expected.utf8).withUnsafeBufferPointer { CanonicalJSON.canonical($0) }
            XCTAssertNil(again.map { String(decoding: $0, as: UTF8.self) }, "jsonb's text \(expected) is canonical")
        }
    }
}
