import Foundation
import TallyCore
import XCTest

/// The throwaway PostgreSQL cluster `scripts/test.sh` starts on loopback.
///
/// Tests that need it call `PostgresServer.require()`: without the cluster it skips, except
/// under `CI=true`, where a missing PostgreSQL is a failure.
public enum PostgresServer {
    public static var baseURL: String? {
        ProcessInfo.processInfo.environment["TALLY_TEST_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        TestLog.start()
        guard let url = baseURL else {
            if Repository.isCI {
                XCTFail("PostgreSQL is required under CI=true (TALLY_TEST_PG_URL is not set)", file: file, line: line)
                throw XCTSkip("PostgreSQL missing")
            }
            throw XCTSkip("PostgreSQL not available: run the tests with `make test`")
        }
        return url
    }

    /// A fresh database on the cluster, so tests do not see each other's rows. Returns its URL.
    public static func freshDatabase(_ name: String = "t") throws -> String {
        let base = try require()
        let database = "\(name)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = withDatabase(base, "postgres")
        let result = shell("psql '\(admin)' -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE \(database)'")
        guard result.status == 0 else {
            XCTFail("could not create database: \(result.output)")
            throw XCTSkip("no database")
        }
        return withDatabase(base, database)
    }

    /// `url` with its database path replaced.
    public static func withDatabase(_ url: String, _ database: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards) else { return url }
        return url.replacingCharacters(in: slash.upperBound..<url.endIndex, with: database)
    }

    /// Runs SQL on a database with psql.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) -> (status: Int32, output: String) {
        let quoted = sql.replacingOccurrences(of: "'", with: "'\\''")
        return shell("psql '\(url)' -v ON_ERROR_STOP=1 -qAtc '\(quoted)'")
    }

    /// The database a URL names.
    public static func databaseName(_ url: String) -> String {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        return path.split(separator: "/").last.map(String.init) ?? ""
    }

    /// The client connections to the database `url` names, seen from the cluster's `postgres`
    /// database (so the look itself is not counted): one line per backend, `pid|state|query`.
    public static func backends(_ url: String) -> [String] {
        let admin = withDatabase(baseURL ?? "", "postgres")
        let name = databaseName(url).replacingOccurrences(of: "'", with: "''")
        let result = psql(admin, """
            SELECT pid || '|' || coalesce(state, '') || '|' || left(query, 60) FROM pg_stat_activity
             WHERE datname = '\(name)' AND backend_type = 'client backend'
            """)
        return result.output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    /// Ends every connection to the database `url` names, as a server does when it stops an idle
    /// compute (Neon) or restarts. Only that one test database of the throwaway cluster.
    @discardableResult
    public static func terminateBackends(_ url: String) -> Int {
        let admin = withDatabase(baseURL ?? "", "postgres")
        let name = databaseName(url).replacingOccurrences(of: "'", with: "''")
        let result = psql(admin, """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = '\(name)' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            """)
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// How many sessions the database `url` names has had since the cluster started.
    public static func sessions(_ url: String) -> Int {
        let admin = withDatabase(baseURL ?? "", "postgres")
        let name = databaseName(url).replacingOccurrences(of: "'", with: "''")
        let result = psql(admin, "SELECT pg_stat_clear_snapshot(); SELECT sessions FROM pg_stat_database WHERE datname = '\(name)'")
        return Int(result.output.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? -1
    }

    static func control(_ verb: String) {
        guard let script = ProcessInfo.processInfo.environment["TALLY_TEST_PG_SCRIPT"] else { return }
        let result = shell("'\(script)' \(verb)")
        if result.status != 0 { XCTFail("pg.sh \(verb) failed: \(result.output)") }
    }

    /// Stops the server (fast shutdown: connections are cut).
    public static func stop() { control("stop") }

    /// Starts it again.
    public static func start() { control("start") }
}
