import Foundation
import GRDB
import TallyApp
import TallyCore
import TallyTestSupport
import TallyUI
import XCTest

/// Another program's commit to the cache beside a dashboard session: a lone commit is shown by
/// the tick that notices it; more than one at a time waits for the writer to pause.
final class ChangesSeenTests: XCTestCase {
    var dir: TempDirectory!

    func session() async throws -> DashboardSession {
        dir = TempDirectory()
        let primary = try SQLitePrimary(path: dir.file("primary.db"), create: true)
        try primary.write { db in try DemoData.make(taskCount: 40, days: 5).insert(into: db) }
        var config = Config()
        config.cachePath = dir.file("cache.db")
        let cache = try CacheStore(path: config.cachePath)
        var options = SyncOptions()
        options.scope = .everything
        try await SyncEngine(cache: cache, primary: primary, options: options).run(kind: .full, full: true)
        return DashboardSession(workspace: Workspace(config: config, cache: cache, primary: primary),
                                catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                theme: .builtInDefault, width: 100, height: 30, startBackground: false)
    }

    func shows(_ session: DashboardSession, _ id: Int64) -> Bool {
        session.model.snapshot.tasks.rows.contains { $0.task.id == id }
    }

    func testALoneCommitIsShownByTheTickThatSeesIt() async throws {
        let session = try await session()
        let other = try DatabaseQueue(path: session.workspace.cache.path)
        try await other.write { db in
            try db.execute(sql: SelectionFollowsTaskTests.insertFirst("cached_tasks", id: 901, title: "Written elsewhere"))
        }
        let now = Date()
        session.tick(now: now)
        XCTAssertTrue(shows(session, 901), "shown without waiting for quiet")
        XCTAssertFalse(session.isSettling)
        XCTAssertTrue(session.frame().plainText().contains("Written elsewhere"))

        // An update of it, again alone.
        try await other.write { db in try db.execute(sql: "UPDATE cached_tasks SET title = 'Renamed elsewhere' WHERE id = 901") }
        session.tick(now: now.addingTimeInterval(0.01))
        XCTAssertTrue(session.frame().plainText().contains("Renamed elsewhere"))

        // Two commits before the tick: a burst, shown once the file has been quiet.
        try await other.write { db in try db.execute(sql: SelectionFollowsTaskTests.insertFirst("cached_tasks", id: 902, title: "First of two")) }
        try await other.write { db in try db.execute(sql: SelectionFollowsTaskTests.insertFirst("cached_tasks", id: 903, title: "Second of two")) }
        session.tick(now: now.addingTimeInterval(0.02))
        XCTAssertTrue(session.isSettling)
        XCTAssertFalse(shows(session, 903), "two commits wait for quiet")
        session.tick(now: now.addingTimeInterval(0.2))
        XCTAssertTrue(shows(session, 902) && shows(session, 903))
        try other.close()
    }

    /// A rewrite's first commit empties a table: held back, though it is a single commit.
    func testARewritesDeleteIsNotShownAtOnce() async throws {
        let session = try await session()
        let clients = session.model.snapshot.rowCounts[.clients] ?? 0
        XCTAssertGreaterThan(clients, 0)
        let other = try DatabaseQueue(path: session.workspace.cache.path)
        try await other.write { db in try db.execute(sql: "DELETE FROM cached_clients") }
        let now = Date()
        session.tick(now: now)
        XCTAssertTrue(session.isSettling)
        XCTAssertEqual(session.model.snapshot.rowCounts[.clients], clients, "the emptied table is not drawn")
        try other.close()
    }
}
