import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// `seed-demo` replaces only nothing or an earlier demo's rows: the rule, and its SQLite side
/// (PostgreSQL's is in the integration tests, the command in the end-to-end tests).
final class DemoSealTests: XCTestCase {
    func rows(_ pairs: [String: (Int64, Int64)]) -> [String: DemoSeal.Rows] {
        pairs.mapValues { DemoSeal.Rows(count: $0.0, maxID: $0.1) }
    }

    func testTheRule() {
        let demoTables = DemoSeal.demoTables
        // Nothing at all, or Tally's tables with no rows (after `primary init`): empty.
        XCTAssertEqual(PrimaryInventory(tables: [], rows: [:], seal: nil).verdict, .empty)
        XCTAssertEqual(PrimaryInventory(tables: demoTables, rows: rows(["tasks": (0, 0)]), seal: nil).verdict, .empty)
        // Rows and no seal: somebody's.
        guard case .foreign(let reasons) = PrimaryInventory(tables: demoTables, rows: rows(["tasks": (1, 1)]), seal: nil).verdict
        else { return XCTFail("rows without a seal are a person's") }
        XCTAssertTrue(reasons[0].contains("tasks: 1 rows"), "\(reasons)")
        // A table the demo does not make.
        XCTAssertFalse(PrimaryInventory(tables: ["notes"], rows: [:], seal: nil).verdict.mayReplace)
        XCTAssertFalse(PrimaryInventory(tables: demoTables + ["tasks_archive"], rows: [:], seal: nil).verdict.mayReplace)
        // WorkOS's energy and brain-dump tables are the demo's too, but their rows are somebody's.
        XCTAssertFalse(PrimaryInventory(tables: demoTables, rows: rows(["brain_dump": (3, 3)]), seal: nil).verdict.mayReplace)
        // Sealed: as seeded, with rows changed or deleted since, is the demo's; a row added is not.
        let seal = DemoSeal(tables: rows(["clients": (6, 6), "tasks": (150, 150)]))
        XCTAssertEqual(PrimaryInventory(tables: demoTables + [DemoSeal.table], rows: rows(["clients": (6, 6), "tasks": (150, 150)]),
                                        seal: seal).verdict, .earlierDemo)
        XCTAssertEqual(PrimaryInventory(tables: demoTables + [DemoSeal.table], rows: rows(["clients": (6, 6), "tasks": (149, 150)]),
                                        seal: seal).verdict, .earlierDemo)
        XCTAssertFalse(PrimaryInventory(tables: demoTables + [DemoSeal.table], rows: rows(["clients": (6, 6), "tasks": (150, 151)]),
                                        seal: seal).verdict.mayReplace, "a row added after the seed")
        XCTAssertFalse(PrimaryInventory(tables: demoTables + [DemoSeal.table], rows: rows(["clients": (6, 6), "habits": (1, 1)]),
                                        seal: seal).verdict.mayReplace, "rows in a table the seed left empty")
    }

    /// A SQLite primary holding a person's row is refused and keeps the row; an earlier demo is
    /// replaced; `replacingEverything` replaces anything.
    func testSeedingASQLitePrimary() async throws {
        let dir = TempDirectory()
        let path = dir.file("primary.db")
        let seeder = DemoSeeder(location: .sqlite(path: path))
        let data = DemoData.make(taskCount: 40, days: 10)
        try await seeder.seed(data, replacingEverything: false)
        let seeded = try await seeder.inventory()
        XCTAssertEqual(seeded.verdict, .earlierDemo)
        try await seeder.seed(data, replacingEverything: false)  // an earlier demo: replaced

        let primary = try SQLitePrimary(path: path)
        try primary.write { db in
            try db.execute(sql: """
                INSERT INTO tasks (title, status, category, created_at, updated_at)
                VALUES ('Call the accountant', 'active', 'work', '2026-01-05T10:00:00.000Z', '2026-01-05T10:00:00.000Z')
                """)
        }
        do {
            try await seeder.seed(data, replacingEverything: false)
            XCTFail("a person's row was replaced")
        } catch {
            XCTAssertTrue(error.userMessage.contains("rows added after the demo seed (in tasks)"), error.userMessage)
            XCTAssertTrue(error.userMessage.contains("--replace-everything"), error.userMessage)
        }
        let kept = try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tasks WHERE title = 'Call the accountant'") }
        XCTAssertEqual(kept, 1, "the row is still there")

        try await seeder.seed(data, replacingEverything: true)
        let gone = try primary.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tasks WHERE title = 'Call the accountant'") }
        XCTAssertEqual(gone, 0, "--replace-everything replaces it")
    }

    /// A file that holds other tables (here a WorkOS cache) is refused before anything is
    /// written, tables included.
    func testAFileWithOtherTablesIsLeftAsItIs() async throws {
        let dir = TempDirectory()
        let path = dir.file("cache.db")
        try FixtureCache.make(at: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            try await DemoSeeder(location: .sqlite(path: path)).seed(DemoData.make(taskCount: 10, days: 5), replacingEverything: false)
            XCTFail("a cache file was seeded")
        } catch {
            XCTAssertTrue(error.userMessage.contains("tables Tally's demo did not make (cache_meta, cached_clients"), error.userMessage)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        let tables = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('tasks', 'tally_demo_seed')")
        }
        XCTAssertEqual(tables, [], "no table was made")
    }

    /// `tally demo --dir D` replaces files only an earlier demo made there.
    func testADemoDirectoryHoldingSomethingElseIsRefused() async throws {
        let dir = TempDirectory()
        try FixtureCache.make(at: dir.file("cache.db"))
        let workspace = DemoWorkspace(directory: dir.path)
        do {
            _ = try await workspace.create(tasks: 10, days: 5)
            XCTFail("a cache.db no demo made was replaced")
        } catch {
            XCTAssertTrue(error.userMessage.contains("it holds cache.db, which no earlier `tally demo` made"), error.userMessage)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("cache.db")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("primary.db")))
        let fresh = TempDirectory()
        let demo = DemoWorkspace(directory: fresh.path)
        try await demo.create(tasks: 10, days: 5)
        try await demo.create(tasks: 12, days: 5)  // an earlier demo is replaced
        XCTAssertEqual(try SQLitePrimary.inventory(path: demo.primaryPath).verdict, .earlierDemo, "the demo's primary is sealed")
    }
}
