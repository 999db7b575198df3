import Foundation
import GRDB
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The primary's column types kept in the cache by a sync (`KeptSchema`), so that the next
/// process on the cache does not read them from the server again (docs/ARCHITECTURE.md, "The
/// primary").
final class KeptSchemaTests: PostgresTestCase {
    /// A second process: a new primary for the same URL and a workspace opened on the cache.
    private func nextProcess() async throws -> (Workspace, PostgresPrimary) {
        var config = Config()
        config.cachePath = cache.path
        config.primaryURL = url
        let workspace = try await Workspace.open(config, preparingPrimary: true)
        let postgres = try XCTUnwrap(workspace.primary as? PostgresPrimary)
        addTeardownBlock { await postgres.close() }
        return (workspace, postgres)
    }

    /// An incremental sync by the next process succeeds, having read the columns `reads` times.
    private func syncInTheNextProcess(readingColumns reads: Int, file: StaticString = #filePath, line: UInt = #line) async throws {
        let (workspace, next) = try await nextProcess()
        let summary = try await SyncEngine(cache: workspace.cache, primary: next, options: engine().options).run(kind: .manual)
        XCTAssertTrue(summary.succeeded, "\(summary.failedNamespaces)", file: file, line: line)
        let read = await next.columnReads
        XCTAssertEqual(read, reads, file: file, line: line)
    }

    private func keptText() throws -> String? {
        try cache.readNow { db in try CacheMeta.value(db, KeptSchema.metaKey) }
    }

    func testASyncKeepsTheColumnsAndTheNextProcessSyncsWithoutReadingThem() async throws {
        try await seed(tasks: 300)
        let full = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(full.succeeded)
        let kept = try XCTUnwrap(KeptSchema(text: try XCTUnwrap(keptText())))
        let read = try await primary.columns()
        let endpoint = await primary.schemaEndpoint
        let identity = try await primary.identity().fingerprint
        XCTAssertEqual(kept.columns, read.tables)
        XCTAssertEqual(kept.endpoint, endpoint)
        XCTAssertEqual(kept.identity, identity)

        PostgresServer.psql(url, "UPDATE tasks SET title = 'Renamed in psql', updated_at = now() AT TIME ZONE 'UTC' WHERE id = 10")
        try await syncInTheNextProcess(readingColumns: 0)
        XCTAssertEqual(try cache.readNow { db in try WorkTask.fetchOne(db, key: 10) }?.title, "Renamed in psql")
        // Nothing new was read, so the kept copy is the first one.
        XCTAssertEqual(try keptText().flatMap(KeptSchema.init(text:)), kept)
        try await assertAgree()
    }

    func testACopyOfAnotherEndpointOrOlderThanAnHourIsNotUsed() throws {
        let columns = PostgresColumns(tables: ["clients": ["id": .integer], "tasks": ["id": .integer],
                                               "daily_goals": ["id": .integer], "habits": ["id": .integer]])
        let now = Date()
        let copy = KeptSchema(endpoint: "db.example:5432/workos alice", identity: "postgres system 1 database workos oid 5",
                              readAt: now.addingTimeInterval(-60), columns: columns)
        XCTAssertEqual(KeptSchema(text: copy.text), copy)
        XCTAssertTrue(copy.serves("db.example:5432/workos alice", at: now))
        XCTAssertFalse(copy.serves("db.example:5432/workos bob", at: now))
        XCTAssertFalse(copy.serves("db.example:5433/workos alice", at: now))
        XCTAssertFalse(copy.serves("db.example:5432/workos alice", at: now.addingTimeInterval(KeptSchema.lifetime)))
        // Without one of the four namespaces' tables it could not stand for a read that succeeded.
        let partial = KeptSchema(endpoint: copy.endpoint, identity: nil, readAt: copy.readAt,
                                 columns: PostgresColumns(tables: ["tasks": ["id": .integer]]))
        XCTAssertFalse(partial.serves(copy.endpoint, at: now))
        for damaged in ["", "tally kept columns 2\n" + copy.text.split(separator: "\n").dropFirst().joined(separator: "\n"),
                        copy.text + "\ntasks\ttitle", copy.text + "\ntasks\ttitle\tvarchar", copy.text.replacingOccurrences(of: "read ", with: "read x")] {
            XCTAssertNil(KeptSchema(text: damaged), damaged)
        }
    }

    func testACopyReadFromAnotherDatabaseIsReadAgain() async throws {
        try await seed(tasks: 200)
        let read = try await primary.columns()
        let endpoint = await primary.schemaEndpoint
        let other = KeptSchema(endpoint: endpoint, identity: "postgres system 42 database elsewhere oid 1", readAt: Date(),
                               columns: read)
        try cache.writeNow { db in try CacheMeta.set(db, KeptSchema.metaKey, other.text) }
        let (_, next) = try await nextProcess()
        let ready = await next.prepare()
        XCTAssertTrue(ready)
        let reads = await next.columnReads
        XCTAssertEqual(reads, 1)
    }

    /// A column the kept copy lists and the primary no longer has (a WorkOS migration dropped it)
    /// fails one read; the columns are read again and the job's retry goes through.
    func testAColumnDroppedSinceTheCopyWasKeptIsReadAgainAndTheSyncSucceeds() async throws {
        try await seed(tasks: 300)
        let full = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(full.succeeded)
        XCTAssertTrue(try XCTUnwrap(KeptSchema(text: try XCTUnwrap(keptText()))).columns["tasks"]?["drain_type"] != nil)
        PostgresServer.psql(url, """
            ALTER TABLE tasks DROP COLUMN drain_type;
            UPDATE tasks SET title = 'After the migration', updated_at = now() AT TIME ZONE 'UTC' WHERE id = 12;
            """)
        try await syncInTheNextProcess(readingColumns: 1)
        XCTAssertEqual(try cache.readNow { db in try WorkTask.fetchOne(db, key: 12) }?.title, "After the migration")
        let kept = try XCTUnwrap(KeptSchema(text: try XCTUnwrap(keptText())))
        XCTAssertNil(kept.columns["tasks"]?["drain_type"])
    }

    /// A write made on a kept copy older than a migration is not refused (nor, queued, given up):
    /// it is written again at once for the columns read anew.
    func testAWriteOnAStaleCopyGoesThrough() async throws {
        try await seed(tasks: 200, days: 30)
        let full = try await engine().run(kind: .full, full: true)
        XCTAssertTrue(full.succeeded)
        PostgresServer.psql(url, "ALTER TABLE tasks DROP COLUMN points_adjusted_at")
        let (workspace, next) = try await nextProcess()
        let id = try XCTUnwrap(try cache.readNow { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM cached_tasks WHERE status = 'active' ORDER BY id LIMIT 1")
        })
        let receipt = try await WritePipeline(workspace: workspace).complete(id, points: 3)
        XCTAssertFalse(receipt.isQueued, "\(receipt.state)")
        let reads = await next.columnReads
        XCTAssertEqual(reads, 1)
        let row = PostgresServer.psql(url, "SELECT status || ' ' || points_final FROM tasks WHERE id = \(id)").output
        XCTAssertEqual(row.trimmingCharacters(in: .whitespacesAndNewlines), "done 3")
        let failures = try cache.readNow { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tally_sync_failures") }
        XCTAssertEqual(failures, 0)
    }
}
