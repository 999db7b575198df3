import Foundation
import TallyTestSupport
import XCTest

/// `tally mcp` fed raw lines on stdin, as a careless or hostile client would write them: every
/// request is answered as JSON-RPC 2.0 says, nothing but JSON reaches stdout, a huge line is
/// refused without being kept, and the server is gone as soon as stdin closes.
final class McpTransportTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }

    override func setUpWithError() throws {
        dir = TempDirectory("tally-mcp-raw")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "60"])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    /// Runs the server on `lines` (stdin then closes); returns its answers, one per line.
    func serve(_ lines: [String], tail: Data = Data()) throws -> (answers: [[String: Any]], raw: [String], result: CommandResult) {
        let input = dir.file("input-\(UUID().uuidString)")
        var data = Data(lines.joined(separator: "\n").utf8 + [UInt8(ascii: "\n")])
        data.append(tail)
        try data.write(to: URL(fileURLWithPath: input))
        // Well under the 30 s the server used to linger after stdin closed with a request it
        // had not answered: a hang fails here instead of passing late.
        let result = try Tally.run(["mcp", "--cache", cache, "--read-only"], timeout: 20, stdin: input)
        XCTAssertEqual(result.status, 0, "exits by itself when stdin closes: \(result.stderr)")
        let raw = result.stdout.split(separator: "\n").map(String.init)
        let answers = try raw.map { line in
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON on stdout: \(line)")
        }
        for byte in result.rawStdout where byte < 0x20 && byte != 0x0a || byte == 0x7f {
            XCTFail("control byte \(byte) on stdout")
        }
        return (answers, raw, result)
    }

    func testEveryRequestIsAnsweredWithItsOwnId() throws {
        let initialize = #"{"jsonrpc":"2.0","id":1.5,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#
        let (answers, raw, _) = try serve([
            initialize,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":1e30,"method":"tools/list"}"#,
            "this is not json",
            #"[{"jsonrpc":"2.0","id":3,"method":"ping"}]"#,
            #"{"jsonrpc":"2.0","id":"p","method":"tools/call","params":{"name":5}}"#,
            #"{"jsonrpc":"2.0","id":"q","method":"tools/call","params":"workos_get_clients"}"#,
            #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"workos_get_clients"}}"#,
            #"{"jsonrpc":"2.0","id":10,"method":"no/such/method"}"#,
        ])
        // The answer whose own id (not one inside its result: a client's `"id":10`) reads `id`
        // exactly; the SDK writes its keys sorted, Tally's gate writes `jsonrpc` first.
        func answer(id: String) -> [String: Any]? {
            zip(raw, answers).first { line, _ in
                line.hasPrefix("{\"id\":\(id),") || line.contains("\"id\":\(id),\"jsonrpc\"")
                    || line.hasPrefix("{\"jsonrpc\":\"2.0\",\"id\":\(id),")
            }?.1
        }
        XCTAssertNotNil(answer(id: "1.5")?["result"], "initialize answered under the id it came with")
        XCTAssertNotNil(answer(id: "1e30")?["result"], "\(raw)")
        XCTAssertEqual((answer(id: "\"p\"")?["error"] as? [String: Any])?["code"] as? Int, -32602)
        XCTAssertEqual((answer(id: "\"q\"")?["error"] as? [String: Any])?["code"] as? Int, -32602)
        XCTAssertNotNil(answer(id: "9")?["result"])
        XCTAssertEqual((answer(id: "10")?["error"] as? [String: Any])?["code"] as? Int, -32601)
        let nullIDs = zip(raw, answers).filter { line, _ in line.contains("\"id\":null") }.map(\.1)
        let codes = nullIDs.compactMap { ($0["error"] as? [String: Any])?["code"] as? Int }.sorted()
        XCTAssertEqual(codes, [-32700, -32600], "the parse error and the batch, with id null")
        XCTAssertEqual(nullIDs.filter { $0["result"] != nil }.count, 1, "the ping with id null is answered too")
        XCTAssertEqual(answers.count, 9, "one answer per request (nine), none for the notification: \(raw)")
    }

    /// A request line past 4 MiB is answered with an error and the next request still is.
    func testAHugeLineIsRefusedAndTheServerGoesOn() throws {
        let huge = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "a", count: 5 << 20) + #""}}"#
        let (answers, _, _) = try serve([huge, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#],
                                        tail: Data(repeating: UInt8(ascii: "z"), count: 6 << 20))  // and no newline at the end
        let errors = answers.compactMap { $0["error"] as? [String: Any] }
        XCTAssertEqual(errors.count, 2, "the huge line and the unterminated tail: \(answers)")
        XCTAssertTrue(errors.allSatisfy { ($0["code"] as? Int) == -32600 && ($0["message"] as? String)?.contains("at most 4194304 bytes") == true })
        XCTAssertTrue(answers.contains { ($0["id"] as? Int) == 2 && $0["result"] != nil }, "\(answers)")
    }
}

/// A client that hands `tally mcp` a non-blocking pipe as stdin (the flag belongs to the pipe,
/// so the server inherits it): the server waits for input in poll(2) rather than failing or
/// spinning, and answers requests that arrive a while apart.
final class McpNonBlockingStdinTests: XCTestCase {
    func testANonBlockingStdinIsWaitedOn() throws {
        let dir = TempDirectory("tally-mcp-nonblocking")
        XCTAssertEqual(try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "60"]).status, 0)
        let script = dir.file("client.py")
        try """
            import os, subprocess, sys, time
            binary, cache = sys.argv[1], sys.argv[2]
            r, w = os.pipe()
            os.set_blocking(r, False)
            server = subprocess.Popen([binary, "mcp", "--cache", cache, "--read-only"], stdin=r,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            os.close(r)
            for n in (1, 2):
                time.sleep(0.3)  # the server finds nothing to read meanwhile
                os.write(w, b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\\n' % n)
            os.close(w)
            out, _ = server.communicate(timeout=20)
            sys.stdout.write(out.decode())
            sys.exit(server.returncode)
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let run = shell("python3 '\(script)' '\(Repository.binary)' '\(dir.file("cache.db"))'", timeout: 30)
        XCTAssertEqual(run.status, 0, run.output)
        let lines = run.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, run.output)
        XCTAssertTrue(lines.allSatisfy { $0.contains("\"result\"") }, run.output)
        XCTAssertTrue(lines[0].contains("\"id\":1") && lines[1].contains("\"id\":2"), run.output)
    }
}
