import Foundation
import GRDB
import TallyCore
import TallyTestSupport
import XCTest

/// A fresh PostgreSQL database with Tally's schema and demo data, and an empty cache beside it.
class PostgresTestCase: XCTestCase {
    var url: String!
    var location: PostgresURL!
    var primary: PostgresPrimary!
    var dir: TempDirectory!
    var cache: CacheStore!

    func seed(tasks: Int = 3000, days: Int = 120) async throws {
        url = try PostgresServer.freshDatabase()
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        location = parsed
        primary = PostgresPrimary(url: parsed, timeout: 10)
        try await primary.initSchema(push: true)
        try await primary.seedDemo(DemoData.make(taskCount: tasks, days: days), replacingEverything: false)
        dir = TempDirectory()
        cache = try CacheStore(path: dir.file("cache.db"))
    }

    override func tearDown() async throws {
        // Leave the server running for the next test even if this one stopped it.
        if PostgresServer.baseURL != nil, shell("pg_isready -d '\(PostgresServer.baseURL ?? "")' -q").status != 0 {
            PostgresServer.start()
        }
        await primary?.close()
    }

    func engine(_ store: (any PrimaryStore)? = nil, chunk: Int = 500, baseDelay: Double = 0.05) -> SyncEngine {
        var options = SyncOptions()
        options.chunkSize = chunk
        options.fullChunkSize = chunk
        options.baseDelay = baseDelay
        options.scope = .everything
        return SyncEngine(cache: cache, primary: store ?? primary, options: options)
    }

    /// Every row of a primary table, in the cache's representation, through the real store.
    func primaryRows(_ namespace: Namespace) async throws -> [[DatabaseValue]] {
        var rows: [[DatabaseValue]] = []
        var watermark: Watermark?
        while true {
            let chunk = try await primary.fetch(namespace, after: watermark, limit: 5000)
            rows += chunk
            guard chunk.count == 5000, let last = chunk.last else { break }
            let id = Int64.fromDatabaseValue(last[0]) ?? 0
            let at = namespace.hasUpdatedAt ? String.fromDatabaseValue(last[namespace.columns.firstIndex(of: "updated_at") ?? 0]) ?? "" : ""
            watermark = Watermark(at: at, id: id)
        }
        return rows.sorted { (Int64.fromDatabaseValue($0[0]) ?? 0) < (Int64.fromDatabaseValue($1[0]) ?? 0) }
    }

    func cacheRows(_ namespace: Namespace) throws -> [[DatabaseValue]] {
        try cache.read { db in
            try Row.fetchAll(db, sql: "SELECT \(namespace.columns.joined(separator: ", ")) FROM \(namespace.cacheTable) ORDER BY id")
                .map { Array($0.databaseValues) }
        }
    }

    /// Counts and a checksum per table: cache and primary agree row for row.
    func assertAgree(file: StaticString = #filePath, line: UInt = #line) async throws {
        for namespace in Namespace.allCases {
            let p = try await primaryRows(namespace)
            let c = try cacheRows(namespace)
            XCTAssertEqual(p.count, c.count, "\(namespace): row count", file: file, line: line)
            XCTAssertEqual(checksum(p), checksum(c), "\(namespace): checksum", file: file, line: line)
        }
    }

    func checksum(_ rows: [[DatabaseValue]]) -> String {
        var hash: UInt64 = 1469598103934665603
        for row in rows {
            for value in row {
                for byte in value.description.utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
                hash = (hash ^ 0x1f) &* 1099511628211
            }
        }
        return String(hash, radix: 16)
    }
}
