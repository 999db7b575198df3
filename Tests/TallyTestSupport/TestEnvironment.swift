import Foundation
import GRDB
import TallyCore
import XCTest

/// A temporary directory removed when the test ends.
public final class TempDirectory {
    public let path: String

    public init(_ name: String = "tally-test") {
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

    /// The WorkOS cache DDL exactly as the other program runs it (shared/fixtures).
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
}

public enum Tally {
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           timeout: TimeInterval = 120) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = env["TALLY_TEST_XDG"] ?? NSTemporaryDirectory() + "tally-test-xdg-none"
        env["XDG_STATE_HOME"] = NSTemporaryDirectory() + "tally-test-state"
        env.removeValue(forKey: "TALLY_PRIMARY")
        env.removeValue(forKey: "DATABASE_URL")
        env.removeValue(forKey: "TALLY_CACHE")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let outData = Collected(), errData = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData.set(out.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData.set(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData.data, as: UTF8.self),
                             stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

/// Output collected on another thread.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    func set(_ data: Data) { lock.withLock { value = data } }
    var data: Data { lock.withLock { value } }
}

/// Runs a shell command, returning its status and output.
@discardableResult
public func shell(_ command: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (127, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
