import Foundation
import GRDB
import TallyCore
import XCTest

/// A temporary directory removed when the test ends.
public final class TempDirectory {
    public let path: String

    public init(_ name: String = "tally-test") {
        TestLog.start()
        let template = NSTemporaryDirectory() + "\(name).XXXXXX"
        var bytes = Array(template.utf8CString)
        let created = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = created.map { String(cString: $0) } ?? NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Where the repository is, so tests can find fixtures and the built binary.
public enum Repository {
    public static var root: String {
        if let root = ProcessInfo.processInfo.environment["TALLY_REPO"], !root.isEmpty { return root }
        // Tests/TallyTestSupport/TestEnvironment.swift → repository root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// The WorkOS cache DDL as the WorkOS design document gives it (no constraints).
    public static var fixtureDDL: String {
        (try? String(contentsOfFile: root + "/Tests/Fixtures/workos-cache-schema.sql", encoding: .utf8)) ?? ""
    }

    /// The `tally` executable under test.
    public static var binary: String {
        if let binary = ProcessInfo.processInfo.environment["TALLY_BINARY"], !binary.isEmpty { return binary }
        return root + "/.build/debug/tally"
    }

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

/// Creates a cache the way the WorkOS server does: its DDL, nothing of Tally's.
public enum FixtureCache {
    public static func make(at path: String, _ fill: (Database) throws -> Void = { _ in }) throws {
        TestLog.start()
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: Repository.fixtureDDL)
        }
        try queue.write { db in try fill(db) }
        try queue.close()
    }
}

/// Runs the `tally` binary and collects what it printed.
public struct CommandResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The bytes as written (`stdout`/`stderr` are them as UTF-8, empty when they are not).
    public var rawStdout = Data()
    public var rawStderr = Data()
}

public enum Tally {
    /// Runs the binary with `arguments`; output through temporary files (see `spawn`).
    /// `prefix` runs it under another program (`prlimit --fsize=…`, `setpriv --reuid=…`).
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           timeout: TimeInterval = 120, prefix: [String] = [], stdin: String = "/dev/null") throws -> CommandResult {
        TestLog.start()
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = env["TALLY_TEST_XDG"] ?? NSTemporaryDirectory() + "tally-test-xdg-none"
        env["XDG_STATE_HOME"] = NSTemporaryDirectory() + "tally-test-state"
        env.removeValue(forKey: "TALLY_PRIMARY")
        env.removeValue(forKey: "DATABASE_URL")
        env.removeValue(forKey: "TALLY_CACHE")
        for (key, value) in environment { env[key] = value }
        return spawn(prefix + [Repository.binary] + arguments, environment: env, timeout: timeout, stdin: stdin)
    }
}

/// Runs a program and waits for it with `waitpid`.
///
/// Foundation's `Process.waitUntilExit` can hang off the main thread on Linux, and a pipe would
/// be held open forever by any daemon the program starts (PostgreSQL), so output goes to
/// temporary files instead.
public func spawn(_ argv: [String], environment: [String: String], timeout: TimeInterval = 120,
                  stdin: String = "/dev/null") -> CommandResult {
    let base = NSTemporaryDirectory() + "tally-spawn-\(UUID().uuidString)"
    defer {
        try? FileManager.default.removeItem(atPath: base + ".out")
        try? FileManager.default.removeItem(atPath: base + ".err")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    guard spawned == 0 else { return CommandResult(status: 127, stdout: "", stderr: "spawn failed: \(spawned)") }
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { break }
        if result < 0 { break }
        if Date() > deadline { kill(pid, SIGKILL) }
        usleep(10_000)
    }
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let out = FileManager.default.contents(atPath: base + ".out") ?? Data()
    let err = FileManager.default.contents(atPath: base + ".err") ?? Data()
    return CommandResult(status: exitStatus, stdout: String(data: out, encoding: .utf8) ?? "",
                         stderr: String(data: err, encoding: .utf8) ?? "", rawStdout: out, rawStderr: err)
}

/// Runs a shell command, returning its status and its output (stdout then stderr).
@discardableResult
public func shell(_ command: String, timeout: TimeInterval = 120) -> (status: Int32, output: String) {
    let result = spawn(["/bin/sh", "-c", command], environment: ProcessInfo.processInfo.environment, timeout: timeout)
    return (result.status, result.stdout + result.stderr)
}

/// Starts a program in the background (output to `logPath`) and returns its pid.
public func spawnBackground(_ argv: [String], environment: [String: String], logPath: String) -> pid_t? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
    }
    var pid: pid_t = 0
    guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv) == 0 else { return nil }
    return pid
}

/// Reaps a child started with `spawnBackground`.
public func reap(_ pid: pid_t) {
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
}

/// What the sync tests start from: a new directory with a SQLite primary filled with demo data
/// and an empty cache beside it.
public struct DemoFiles {
    public let dir: TempDirectory
    public let primary: SQLitePrimary
    public let cache: CacheStore

    public init(tasks: Int, days: Int) throws {
        dir = TempDirectory()
        primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        let data = DemoData.make(taskCount: tasks, days: days)
        try primary.write { db in try data.insert(into: db) }
        cache = try CacheStore(path: dir.file("cache.db"))
    }
}
