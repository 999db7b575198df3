import Foundation
import TallyCore
import TallyTestSupport
import XCTest

/// `tally primary seed-demo` empties the database it is given, so it must never be given a
/// person's by accident: only an explicit --primary, only a new database or an earlier demo's,
/// a question on a terminal and --yes in a script.
final class SeedDemoTests: XCTestCase {
    var dir: TempDirectory!

    override func setUp() {
        dir = TempDirectory("tally-seed")
    }

    /// A person's WorkOS database on the real PostgreSQL: every way of reaching it is refused and
    /// the person's row is still there; --replace-everything is the one way through.
    func testAPersonsPostgreSQLDatabaseIsNeverErased() throws {
        let url = try PostgresServer.freshDatabase("seed")
        XCTAssertEqual(try Tally.run(["primary", "init", "--primary", url]).status, 0)
        XCTAssertEqual(PostgresServer.psql(url, "INSERT INTO tasks (title, status) VALUES ('Renew the lease', 'active')").status, 0)
        func kept() -> String {
            PostgresServer.psql(url, "SELECT count(*) FROM tasks WHERE title = 'Renew the lease'").output
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let config = dir.file("config.toml")
        try "primary = \"\(url)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let attempts: [([String], [String: String], String)] = [
            // The variable the README tells WorkOS users to set, TALLY_PRIMARY and the config: never a target.
            (["--yes"], ["DATABASE_URL": url], "seed-demo needs --primary URL"),
            (["--yes"], ["TALLY_PRIMARY": url], "seed-demo needs --primary URL"),
            (["--yes", "--config", config], [:], "seed-demo needs --primary URL"),
            // Named, and confirmed: it holds a row no demo wrote.
            (["--yes", "--primary", url], [:], "rows no demo seed wrote (tasks: 1 rows)"),
            (["--primary", url], [:], "rows no demo seed wrote"),
        ]
        for (arguments, environment, fragment) in attempts {
            let result = try Tally.run(["primary", "seed-demo"] + arguments, environment: environment)
            XCTAssertNotEqual(result.status, 0, "\(arguments) \(environment.keys)")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("tally-test-pw"), result.stderr)
            XCTAssertEqual(kept(), "1", "\(arguments): the row is still there")
        }
        XCTAssertEqual(PostgresServer.psql(url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tally_demo_seed'")
            .output.trimmingCharacters(in: .whitespacesAndNewlines), "0", "nothing was created there either")

        // Asked for in so many words, it is replaced.
        let replaced = try Tally.run(["primary", "seed-demo", "--replace-everything", "--primary", url, "--tasks", "40"])
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        XCTAssertEqual(kept(), "0")
        // Now an earlier demo's: seeded again without a fuss.
        let again = try Tally.run(["primary", "seed-demo", "--yes", "--primary", url, "--tasks", "40"])
        XCTAssertEqual(again.status, 0, again.stderr)
        // A row added to the demo since is somebody's.
        XCTAssertEqual(PostgresServer.psql(url, "INSERT INTO tasks (title, status) VALUES ('Mine now', 'active')").status, 0)
        let added = try Tally.run(["primary", "seed-demo", "--yes", "--primary", url])
        XCTAssertNotEqual(added.status, 0)
        XCTAssertTrue(added.stderr.contains("rows added after the demo seed (in tasks)"), added.stderr)
        XCTAssertEqual(PostgresServer.psql(url, "SELECT count(*) FROM tasks WHERE title = 'Mine now'").output
            .trimmingCharacters(in: .whitespacesAndNewlines), "1")
    }

    /// WorkOS's own schema, with not a row in it: its migrations table (drizzle's) says it is
    /// not a demo's.
    func testAWorkOSSchemaIsRefusedEvenEmpty() throws {
        let url = try PostgresServer.freshDatabase("seedworkos")
        let loaded = shell("psql '\(url)' -v ON_ERROR_STOP=1 -q -f '\(Repository.root)/Tests/Fixtures/workos-primary.sql'")
        XCTAssertEqual(loaded.status, 0, loaded.output)
        let result = try Tally.run(["primary", "seed-demo", "--yes", "--primary", url])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("table Tally's demo did not make (drizzle.__drizzle_migrations)"), result.stderr)
    }

    /// On a terminal it asks, and only "y" goes ahead.
    func testItAsksOnATerminal() throws {
        try TmuxDriver.require()
        let url = "sqlite://" + dir.file("primary.db")
        let tmux = try TmuxDriver("'\(Repository.binary)' primary seed-demo --primary '\(url)' --tasks 30", width: 160, height: 10)
        let asked = tmux.wait(timeout: 20) { $0.contains("[y/N]") }
        XCTAssertTrue(asked.ok, asked.screen)
        XCTAssertTrue(asked.screen.contains("Empty \(url) and fill it with demo data (it holds no data)?"), asked.screen)
        tmux.send("n", "Enter")
        XCTAssertTrue(tmux.wait(for: "__EXITED__ 1").ok, tmux.capture())
        XCTAssertTrue(tmux.capture().contains("tally: Nothing was changed."), tmux.capture())
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("primary.db")), "nothing was made")

        let yes = try TmuxDriver("'\(Repository.binary)' primary seed-demo --primary '\(url)' --tasks 30", width: 160, height: 10)
        XCTAssertTrue(yes.wait(timeout: 20) { $0.contains("[y/N]") }.ok, yes.capture())
        yes.send("y", "Enter")
        XCTAssertTrue(yes.wait(for: "__EXITED__ 0").ok, yes.capture())
        XCTAssertTrue(yes.capture().contains("Seeded \(url) with 6 clients, 30 tasks"), yes.capture())
    }

    /// `tally demo` makes its own cache and primary: --cache and --primary are refused, not ignored.
    func testDemoRefusesCacheAndPrimary() throws {
        for option in [["--cache", dir.file("c.db")], ["--primary", "sqlite://" + dir.file("p.db")]] {
            let result = try Tally.run(["demo", "--no-ui", "--dir", dir.file("demo")] + option)
            XCTAssertEqual(result.status, 64, result.stderr)
            XCTAssertTrue(result.stderr.contains("tally demo makes its own cache and primary in --dir"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("demo")), "nothing was made")
        }
        // And a directory holding a cache no demo made is left as it is.
        let real = dir.file("real")
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FixtureCache.make(at: real + "/cache.db")
        let refused = try Tally.run(["demo", "--no-ui", "--dir", real])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("which no earlier `tally demo` made"), refused.stderr)
    }
}
