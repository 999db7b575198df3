import Foundation
import XCTest

/// Drives `tally mcp` with the official Python MCP client (`scripts/mcp-client.py`, in the
/// virtual environment `scripts/mcp-venv.sh` makes). Without that environment the tests skip,
/// except under `CI=true`, where it is a failure.
public enum McpClient {
    /// The venv's python: `$TALLY_MCP_PYTHON` (scripts/test.sh sets it), else `.build-venv`.
    public static var python: String {
        if let python = ProcessInfo.processInfo.environment["TALLY_MCP_PYTHON"], !python.isEmpty { return python }
        return Repository.root + "/.build-venv/bin/python"
    }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws {
        TestLog.start()
        guard shell("'\(python)' -c 'import mcp.client.stdio'").status == 0 else {
            if Repository.isCI { XCTFail("the Python MCP client is required under CI=true (scripts/mcp-venv.sh)", file: file, line: line) }
            throw XCTSkip("the Python MCP client is not installed: run scripts/mcp-venv.sh or `make test`")
        }
    }

    /// The environment the server runs in: the tests' XDG directories, no primary from outside.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = env["TALLY_TEST_XDG"] ?? NSTemporaryDirectory() + "tally-test-xdg-none"
        env["XDG_STATE_HOME"] = NSTemporaryDirectory() + "tally-test-state"
        env.removeValue(forKey: "TALLY_PRIMARY")
        env.removeValue(forKey: "DATABASE_URL")
        env.removeValue(forKey: "TALLY_CACHE")
        for (key, value) in extra { env[key] = value }
        return env
    }

    static func writeTemporary(_ data: Data) throws -> String {
        let path = NSTemporaryDirectory() + "tally-mcp-\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `steps` against `tally mcp <arguments>`; returns the client's report (see
    /// scripts/mcp-client.py).
    public static func session(_ steps: [[String: Any]], arguments: [String], environment: [String: String] = [:],
                               timeout: TimeInterval = 120) throws -> [String: Any] {
        let stepsFile = try writeTemporary(try JSONSerialization.data(withJSONObject: steps))
        defer { try? FileManager.default.removeItem(atPath: stepsFile) }
        let result = spawn([python, Repository.root + "/scripts/mcp-client.py", "session", stepsFile, "--",
                            Repository.binary, "mcp"] + arguments,
                           environment: Self.environment(environment), timeout: timeout)
        guard result.status == 0, let report = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ClientFailed(message: "mcp-client.py exited \(result.status): \(result.stderr.suffix(2000))\(result.stdout.suffix(500))")
        }
        return report
    }

    /// Starts a session in the background; `wait` returns its report.
    public static func start(_ steps: [[String: Any]], arguments: [String], environment: [String: String] = [:]) throws -> Background {
        let stepsFile = try writeTemporary(try JSONSerialization.data(withJSONObject: steps))
        let output = NSTemporaryDirectory() + "tally-mcp-\(UUID().uuidString).out"
        guard let pid = spawnBackground(
            ["/bin/sh", "-c", "exec \"$0\" \"$@\" 2>/dev/null", python, Repository.root + "/scripts/mcp-client.py", "session",
             stepsFile, "--", Repository.binary, "mcp"] + arguments,
            environment: Self.environment(environment), logPath: output) else {
            throw ClientFailed(message: "could not start mcp-client.py")
        }
        return Background(pid: pid, output: output, stepsFile: stepsFile)
    }

    public struct Background {
        let pid: pid_t
        let output: String
        let stepsFile: String

        public func wait() throws -> [String: Any] {
            reap(pid)
            defer {
                try? FileManager.default.removeItem(atPath: output)
                try? FileManager.default.removeItem(atPath: stepsFile)
            }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            guard let report = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw ClientFailed(message: "no report from mcp-client.py: \(text.suffix(2000))")
            }
            return report
        }
    }

    /// Writes `lines` to `tally mcp <arguments>` as they are, closes stdin, and returns what came
    /// back: `exitCode`, `seconds`, `responses` (parsed lines), `stderr`.
    public static func raw(_ lines: [String], arguments: [String], environment: [String: String] = [:]) throws -> [String: Any] {
        let input = try writeTemporary(Data((lines.joined(separator: "\n") + "\n").utf8))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = spawn([python, Repository.root + "/scripts/mcp-client.py", "raw", input, "--", Repository.binary, "mcp"] + arguments,
                           environment: Self.environment(environment), timeout: 90)
        guard result.status == 0, let report = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ClientFailed(message: "mcp-client.py raw exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return report
    }

    public struct ClientFailed: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The tool results of a session report.
    public var results: [[String: Any]] { self["results"] as? [[String: Any]] ?? [] }
}

extension Array where Element == [String: Any] {
    /// The parsed JSON text of the result at `index` (nil when it is not JSON).
    public func json(_ index: Int) -> Any? {
        guard index < count, let text = self[index]["text"] as? String else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    public func text(_ index: Int) -> String { index < count ? (self[index]["text"] as? String ?? "") : "" }

    public func isError(_ index: Int) -> Bool { index < count ? (self[index]["isError"] as? Bool ?? false) : false }
}
