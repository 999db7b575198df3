import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// Generated bad input thrown at the real binary: command lines, the environment, config files
/// and `tally mcp`'s stdin. Whatever comes in, Tally must not crash or print a stack trace,
/// must write no control character to any stream, and must refuse with exactly one line on
/// stderr and a non-zero exit, having written nothing.
///
/// The generator is deterministic (SplitMix64 from a seed), so a failure names its seed and
/// case and is replayed with `TALLY_FUZZ_SEED=<seed> scripts/test.sh --filter FuzzTests`;
/// `TALLY_FUZZ_CASES` runs more (the default keeps the test near a minute). A property-based
/// library would shrink a failing case, but would also bring Swift Testing into a suite whose
/// runner counts XCTest's results only; the inputs here are short enough to read as they are.
final class FuzzTests: XCTestCase {
    var dir: TempDirectory!
    var cache: String { dir.file("cache.db") }
    var primaryURL: String { "sqlite://\(dir.file("primary.db"))" }
    var generator = Generator(seed: FuzzTests.seed)

    static let seed: UInt64 = ProcessInfo.processInfo.environment["TALLY_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_126
    static let cases: Int = ProcessInfo.processInfo.environment["TALLY_FUZZ_CASES"].flatMap { Int($0) } ?? 120

    override func setUpWithError() throws {
        dir = TempDirectory("tally-fuzz")
        let made = try Tally.run(["demo", "--no-ui", "--dir", dir.path, "--tasks", "60"])
        XCTAssertEqual(made.status, 0, made.stderr)
        // Everything in the file itself, so a look at it tells whether anything was written.
        XCTAssertEqual(shell("sqlite3 '\(cache)' 'PRAGMA wal_checkpoint(TRUNCATE);'").status, 0)
    }

    // MARK: The checks

    /// What the cache holds (every table's rows and schema, as `sqlite3 .dump` writes them) and
    /// the names of the files beside it. Not its bytes: opening a cache writable lets GRDB set up
    /// WAL readers by writing an empty table in and out of the log, which moves the header's
    /// counters but no row.
    func fingerprint() -> String {
        let dump = shell("sqlite3 '\(cache)' .dump")
        var hasher = Hasher()  // seeded per process: compared within this run only
        hasher.combine(dump.output)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") }.sorted()
        return "\(dump.status) \(hasher.finalize()) " + names.joined(separator: ",")
    }

    func check(_ result: CommandResult, before: String, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let tag = "[seed \(Self.seed)] \(label)"
        XCTAssertLessThan(result.status, 128, "\(tag): killed by a signal or hung: \(result.stderr)", file: file, line: line)
        for crash in ["Fatal error", "Backtrace", "Stack dump", "Current stack trace", "Illegal instruction", "panic"] {
            XCTAssertFalse(result.stderr.contains(crash) || result.stdout.contains(crash), "\(tag): \(result.stderr)", file: file, line: line)
        }
        for (name, bytes) in [("stdout", [UInt8](result.rawStdout)), ("stderr", [UInt8](result.rawStderr))] {
            if let bad = Self.firstControl(bytes) {
                XCTFail("\(tag): control byte 0x\(String(bad, radix: 16)) on \(name): \(String(decoding: bytes.prefix(400), as: UTF8.self).debugDescription)",
                        file: file, line: line)
            }
        }
        // Refused: nothing on stdout, a non-zero exit, one line on stderr, nothing written.
        guard result.status != 0, result.stdout.isEmpty else { return }
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 1, "\(tag): \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("tally: "), "\(tag): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(fingerprint(), before, "\(tag): refused, yet the cache or its directory changed", file: file, line: line)
    }

    /// A byte below 0x20 other than newline and tab, DEL, or a C1 control in UTF-8 (C2 80–9F).
    static func firstControl(_ bytes: [UInt8]) -> UInt8? {
        for (index, byte) in bytes.enumerated() {
            if (byte < 0x20 && byte != 0x0a && byte != 0x09) || byte == 0x7f { return byte }
            if byte == 0xc2, index + 1 < bytes.count, (0x80...0x9f).contains(bytes[index + 1]) { return bytes[index + 1] }
        }
        return nil
    }

    // MARK: The tests

    func testGeneratedCommandLines() throws {
        for index in 0..<Self.cases {
            let arguments = generator.commandLine(cache: cache, primary: primaryURL, scratch: dir.path + "/scratch-\(index)")
            let before = fingerprint()
            let result = try Tally.run(arguments, timeout: 60)
            check(result, before: before, "case \(index): \(arguments.map(\.debugDescription).joined(separator: " "))")
        }
    }

    func testGeneratedEnvironments() throws {
        for index in 0..<(Self.cases / 2) {
            let environment = generator.environment()
            let arguments = generator.pick([["status"], ["tasks"], ["render", "--size", "80x24"], ["history", "--days", "3"],
                                            ["habits"], ["failures"], ["mcp"], ["complete", "1"], ["sync"]]) + ["--cache", cache]
            let before = fingerprint()
            let result = try Tally.run(arguments, environment: environment, timeout: 60)
            check(result, before: before, "case \(index): \(environment) \(arguments)")
        }
    }

    func testGeneratedConfigFiles() throws {
        let config = dir.file("fuzz.toml")
        for index in 0..<(Self.cases / 2) {
            try generator.configFile().write(to: URL(fileURLWithPath: config))
            let arguments = generator.pick([["status"], ["tasks"], ["render", "--size", "80x24"], ["mcp"], ["sync"], ["add", "fuzz"]])
                + ["--config", config, "--cache", cache]
            let before = fingerprint()
            let result = try Tally.run(arguments, timeout: 60)
            let text = String(decoding: (FileManager.default.contents(atPath: config) ?? Data()).prefix(300), as: UTF8.self)
            check(result, before: before, "case \(index): \(arguments[0]) with config \(text.debugDescription)")
        }
    }

    /// One session of generated lines: answered or refused one by one, JSON on every line of
    /// stdout, nothing written (the server runs read-only, so a generated write is refused
    /// too), and an exit of its own once stdin ends.
    func testGeneratedMcpLines() throws {
        var lines = [#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}"#,
                     #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#]
        for _ in 0..<(Self.cases * 2) { lines.append(generator.mcpLine()) }
        let input = dir.file("mcp-input")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let before = fingerprint()
        let result = try Tally.run(["mcp", "--cache", cache, "--read-only"], timeout: 60, stdin: input)
        check(result, before: before, "mcp session")
        XCTAssertEqual(result.status, 0, "[seed \(Self.seed)] \(result.stderr)")
        for line in result.stdout.split(separator: "\n") {
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)), "[seed \(Self.seed)] not JSON: \(line.prefix(300))")
        }
        XCTAssertEqual(fingerprint(), before, "[seed \(Self.seed)] a read-only server wrote to the cache")
        XCTAssertGreaterThan(result.stdout.split(separator: "\n").count, Self.cases / 2, "most lines get an answer")
    }
}

/// The inputs: picked from lists of what goes wrong in practice (numbers out of every range,
/// escape sequences, C1 controls, passwords in odd URL shapes, long and empty strings), and
/// combined at random.
struct Generator {
    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    static let numbers = ["-1", "0", "-0", "1e300", "-1e300", "2e10", "inf", "-inf", "nan", "NaN", "1.5", "0x10", "9999999999999999999999",
                          "-9223372036854775808", "9223372036854775807", "2000001", "36601", "", " ", "12abc", "١٢", "+5", "5", "3"]
    static let strings = ["\u{1b}]0;pwned\u{07}", "\u{1b}[2J\u{1b}[H", "a\u{9b}31mb", "a\u{85}b", "\u{202e}txt", "\u{1b}]52;c;aGk=\u{1b}\\",
                          String(repeating: "x", count: 5000), "", "--", "-", "-5", "--nope", "=", "\"'`", "../../../etc/passwd", "~",
                          "日本語 🧘", "\t\r\n", "%00%0a", "$(touch pwned)", "None", "none", "active", "done"]
    static let urls = ["user:hunter2@db/work", "postgres://u:hunter2@127.0.0.1:1/x", "postgres://u:hunt/er2@h/x", "postgres://u:p@h:99999/x",
                       "mysql://u:hunter2@h/x", "sqlite://relative.db", "sqlite:///", "sqlite:///nonexistent/dir/p.db", "postgres://",
                       "postgres://:@/?sslmode=bogus", "postgres://u@h/x?sslrootcert=", "http://u:hunter2@h", "\u{1b}[2Jpostgres://u:pw@h/x",
                       "host=db password=hunter2", ""]
    static let commands: [[String]] = [[], ["dash"], ["status"], ["status", "--json"], ["tasks"], ["tasks", "--json"], ["habits"],
                                       ["history"], ["failures"], ["render"], ["complete"], ["add"], ["edit"], ["promote"], ["delete"],
                                       ["habit", "done"], ["habit"], ["sync"], ["primary", "init"], ["primary", "seed-demo"],
                                       ["doctor"], ["mcp"], ["demo", "--no-ui"], ["nonsense"], ["primary"]]
    static let options = ["--points", "--client", "--tier", "--status", "--limit", "--days", "--tasks", "--size", "--view", "--refresh",
                          "--stale-after", "--theme", "--search", "--title", "--description", "--note", "--resume", "--colors",
                          "--dir", "--primary", "--cache", "--config", "--read-only", "--json", "--yes", "--force", "--full"]

    mutating func value(for option: String, scratch: String) -> String {
        switch option {
        case "--primary": return pick(Self.urls + [Self.strings[0]])
        case "--cache": return pick(["/dev/null", scratch + "/missing.db", scratch, "/", "", "\u{1b}[2J.db"])
        case "--config": return pick([scratch + "/none.toml", "/", "/dev/null", ""])
        case "--dir": return scratch + pick(["", "/\u{1b}[2J", "/deep/er"])
        case "--tasks": return pick(Self.numbers.filter { !["2e10", "9223372036854775807"].contains($0) } + ["7"])
        default: return chance(50) ? pick(Self.numbers) : pick(Self.strings)
        }
    }

    mutating func commandLine(cache: String, primary: String, scratch: String) -> [String] {
        var arguments = pick(Self.commands)
        for _ in 0..<Int(random.next() % 5) {
            if chance(35) {
                arguments.append(chance(50) ? pick(Self.numbers) : pick(Self.strings))
            } else {
                let option = pick(Self.options)
                if ["--read-only", "--json", "--yes", "--force", "--full"].contains(option) {
                    arguments.append(option)
                } else if chance(15) {
                    arguments.append(option + "=" + value(for: option, scratch: scratch))
                } else {
                    arguments += [option, value(for: option, scratch: scratch)]
                }
            }
        }
        // Shared options in front now and then, as people type them.
        let workspace = ["--cache", cache] + (chance(30) ? ["--primary", primary] : [])
        return chance(30) ? workspace + arguments : arguments + workspace
    }

    mutating func environment() -> [String: String] {
        var environment: [String: String] = [:]
        let names = ["TALLY_REFRESH", "TALLY_STALE_AFTER", "TALLY_AWAY_AFTER", "TALLY_AWAY_REFRESH", "TALLY_PRIMARY", "DATABASE_URL",
                     "TALLY_THEME", "TALLY_READ_ONLY", "TALLY_CONFIG", "TALLY_CACHE"]
        for _ in 0...Int(random.next() % 3) {
            let name = pick(names)
            switch name {
            case "TALLY_PRIMARY", "DATABASE_URL": environment[name] = pick(Self.urls)
            case "TALLY_CONFIG": environment[name] = pick(["/nonexistent.toml", "/", "/dev/null", "\u{1b}[2J"])
            case "TALLY_THEME", "TALLY_CACHE": environment[name] = pick(Self.strings)
            default: environment[name] = chance(70) ? pick(Self.numbers) : pick(Self.strings)
            }
        }
        return environment
    }

    mutating func configFile() -> Data {
        if chance(8) { return Data([0x74, 0x3d, 0xff, 0xfe, 0x0a, 0x00, 0x1b]) }  // not UTF-8
        let keys = ["refresh", "poll", "away_after", "away_refresh", "stale_after", "target_points", "chunk_size", "full_chunk_size",
                    "history_days", "time_zone", "theme", "primary", "cache", "read_only", "sync_command", "scope", "colour"]
        let values = ["1e300", "-1", "inf", "nan", "-inf", "0", "0.0001", "9223372036854775807", "-9223372036854775808", "1e-320",
                      "\"soon\"", "\"\\u001b]0;pwned\\u0007\"", "\"\\u009b2J\"", "[1, 2]", "{ a = 1 }", "true", "\"all\"", "\"Mars/Olympus\"",
                      "\"postgres://u:hunter2@127.0.0.1:1/x\"", "\"user:hunter2@h/db\"", "\"/dev/null\"", "\"\"", "60", "[", "\"unterminated"]
        var text = ""
        for _ in 0...Int(random.next() % 4) {
            if chance(15) {
                text += pick(["[scope]\n", "[day]\n", "[stale_after]\n", "[nonsense]\n"])
                let sub = pick(["done_days", "goal_days", "categories", "start", "end", "tasks", "clients", "weather"])
                text += "\(sub) = \(pick(values))\n"
            } else {
                text += "\(pick(keys)) = \(pick(values))\n"
            }
        }
        return Data(text.utf8)
    }

    mutating func mcpLine() -> String {
        if chance(12) {
            return pick(["not json", "{", "[]", "[1,2]", "null", "42", "\"text\"", String(repeating: "[", count: 3000), "{\"jsonrpc\":\"2.0\"}",
                         "\u{1b}[2J", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} trailing"])
        }
        let ids = ["1", "-1", "1.5", "1e30", "0", "\"s\"", "null", "true", "{}", "[]", "123456789012345678901234567890", "\"\\u001b[2J\""]
        let methods = ["tools/call", "tools/call", "tools/call", "tools/list", "ping", "initialize", "resources/read", "resources/list",
                       "prompts/get", "nonsense", "", "notifications/cancelled"]
        let tools = ["workos_get_tasks", "workos_complete_task", "workos_create_task", "workos_update_task", "workos_delete_task",
                     "workos_get_metrics_for_date", "life_complete_habit", "tally_sync", "tally_status", "no_such_tool", "\u{1b}[2J",
                     "workos_adjust_daily_goal", "life_create_habit", "life_delete_habit", "life_log_energy",
                     "life_override_energy_suggestion", "life_brain_dump", "life_process_brain_dump"]
        let argumentValues = ["1", "-1", "1e300", "1.5", "null", "true", "\"\\u001b]0;x\\u0007\"", "\"\\u009b31m\"", "[]", "{}",
                              "\"\(String(repeating: "y", count: 3000))\"", "9223372036854775807", "\"2026-13-45\"", "\"done\""]
        let keys = ["taskId", "title", "status", "clientId", "clientName", "limit", "points", "date", "habitId", "note", "timeoutSeconds",
                    "wait", "subtasks", "valueTier", "name", "level", "content", "entryId", "baseTarget", "energyLevel", "reason"]
        var arguments: [String] = []
        for _ in 0..<Int(random.next() % 4) { arguments.append("\"\(pick(keys))\":\(pick(argumentValues))") }
        let params: String
        switch random.next() % 6 {
        case 0: params = ""
        case 1: params = ",\"params\":\(pick(["[1]", "\"x\"", "5", "null"]))"
        default: params = ",\"params\":{\"name\":\"\(pick(tools))\",\"arguments\":{\(arguments.joined(separator: ","))}}"
        }
        let id = chance(85) ? ",\"id\":\(pick(ids))" : ""
        let version = chance(92) ? "\"2.0\"" : pick(["\"1.0\"", "2", "null"])
        return "{\"jsonrpc\":\(version)\(id),\"method\":\"\(pick(methods))\"\(params)}"
    }
}
