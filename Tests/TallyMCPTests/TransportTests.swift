import Foundation
import Logging
import TallyTestSupport
import XCTest

@testable import TallyMCP

/// The stdio transport: each line checked against JSON-RPC 2.0 before the SDK sees it, ids
/// echoed as the client wrote them, and a reader that is linear and never holds a line past its
/// limit.
final class TransportTests: XCTestCase {
    func json(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
    }

    func answer(_ line: String) throws -> (code: Int?, id: String) {
        var gate = RequestGate()
        guard case .answer(let data) = gate.admit(Data(line.utf8)) else {
            XCTFail("\(line) was not answered by the gate")
            return (nil, "")
        }
        let object = try json(data)
        let id = JSONScan.member("id", in: [UInt8](data)).map { String(decoding: [UInt8](data)[$0], as: UTF8.self) } ?? "<none>"
        return ((object["error"] as? [String: Any])?["code"] as? Int, id)
    }

    func testMalformedMessagesGetTheErrorJSONRPCAsksFor() throws {
        let cases: [(String, Int, String)] = [
            ("not json", -32700, "null"),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,", -32700, "null"),
            ("[{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]", -32600, "null"),
            ("[]", -32600, "null"),
            ("42", -32600, "null"),
            ("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", -32600, "null"),
            ("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}", -32600, "null"),
            ("{\"jsonrpc\":\"1.0\",\"id\":4,\"method\":\"ping\"}", -32600, "4"),
            ("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}", -32600, "5"),
            ("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"tools/call\",\"params\":[1]}", -32602, "\"s\""),
            ("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":5}}", -32602, "6"),
            ("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{}}", -32602, "7"),
            ("{\"jsonrpc\":\"2.0\",\"id\":1.5e0,\"method\":\"resources/read\",\"params\":{\"uri\":3}}", -32602, "1.5e0"),
        ]
        for (line, code, id) in cases {
            let (got, echoed) = try answer(line)
            XCTAssertEqual(got, code, line)
            XCTAssertEqual(echoed, id, line)
        }
        var gate = RequestGate()
        XCTAssertEqual(gate.admit(Data("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":3}".utf8)), .drop,
                       "a notification gets no answer, even a bad one")
    }

    /// Any id JSON-RPC allows reaches the SDK as a token and comes back exactly as written.
    func testIdsAreEchoedAsGiven() throws {
        for id in ["1.5", "1e30", "-0", "null", "123456789012345678901234567890", "\"a\\\"b\"", "7"] {
            var gate = RequestGate()
            guard case .forward(let forwarded) = gate.admit(Data("{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"ping\"}".utf8)) else {
                XCTFail("id \(id) was not forwarded")
                continue
            }
            let token = try XCTUnwrap(try json(forwarded)["id"] as? String, "the SDK sees a string id")
            let answer = gate.restore(Data("{\"id\":\"\(token)\",\"jsonrpc\":\"2.0\",\"result\":{}}".utf8))
            XCTAssertEqual(String(decoding: answer, as: UTF8.self), "{\"id\":\(id),\"jsonrpc\":\"2.0\",\"result\":{}}")
            XCTAssertEqual(gate.outstanding, 0)
        }
    }

    func testAnswersEscapeC1Controls() throws {
        var gate = RequestGate()
        let raw = Data("{\"id\":1,\"result\":{\"text\":\"a\u{9b}2J b\u{85} c\u{7f} d\u{2028}\"}}".utf8)
        let restored = gate.restore(raw)
        for byte in [UInt8](restored) { XCTAssertFalse(byte == 0x7f || byte == 0xc2 || byte == 0xe2, "raw control in \(restored)") }
        let text = try XCTUnwrap((try json(restored)["result"] as? [String: Any])?["text"] as? String)
        XCTAssertEqual(text, "a\u{9b}2J b\u{85} c\u{7f} d\u{2028}")
    }

    /// The reader hands over lines as they come, drops a line past the limit (once, as it
    /// arrives), and reads on after it.
    func testTheReaderIsBoundedAndReadsOn() throws {
        let dir = TempDirectory()
        let path = dir.file("input")
        var input = Data("first\n".utf8)
        input.append(Data(repeating: UInt8(ascii: "x"), count: 300_000))  // past the limit, across many reads
        input.append(Data("\nsecond\n\n".utf8))
        input.append(Data(repeating: UInt8(ascii: "y"), count: 250_000))  // no newline at the end
        input.append(Data("\nthird".utf8))
        try input.write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var seen: [String] = []
        LineTransport.read(fd, maxLine: 100_000, logger: Logger(label: "test")) { incoming in
            switch incoming {
            case .line(let data): seen.append(data.count > 20 ? "long \(data.count)" : String(decoding: data, as: UTF8.self))
            case .tooLarge: seen.append("too large")
            }
        }
        XCTAssertEqual(seen, ["first", "too large", "second", "too large", "third"])
    }
}
