import Foundation
import PostgresNIO
@testable import TallyCore
import TallyTestSupport
import XCTest

/// The primary's connections ("lanes"): a call that may use either of two takes the one that
/// is free first, and only that one (docs/ARCHITECTURE.md, "Sync jobs": WorkOS's other tables
/// are read on whichever connection is done first).
final class PostgresLaneTests: XCTestCase {
    private var store: PostgresPrimary?

    override func tearDown() async throws {
        await store?.close()
    }

    private static func backend(_ connection: PostgresConnection) async throws -> Int {
        for try await pid in try await connection.query("SELECT pg_backend_pid()::bigint", logger: Logger(label: "test")).decode(Int.self) {
            return pid
        }
        return -1
    }

    /// Both lanes busy, the reads' for a fifth of a second and the digests' for two seconds: a
    /// call for the first free one runs on the reads' connection as soon as it is free, and a
    /// call that waits for the digests' lane still gets it when its query ends.
    func testACallForTheFirstFreeLaneTakesTheOneDoneFirstAndLeavesTheOther() async throws {
        let url = try PostgresServer.freshDatabase()
        guard case .postgres(let parsed) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        let store = PostgresPrimary(url: parsed, timeout: 10)
        self.store = store
        let reads = try await store.run(.reads) { try await Self.backend($0) }
        let digests = try await store.run(.digests) { try await Self.backend($0) }
        XCTAssertNotEqual(reads, digests)

        async let shortSleep: Void = store.run(.reads) { _ = try await $0.query("SELECT pg_sleep(0.2)", logger: Logger(label: "test")) }
        async let longSleep: Void = store.run(.digests) { _ = try await $0.query("SELECT pg_sleep(2)", logger: Logger(label: "test")) }
        // Both sleeps under way on the server before the calls below are made.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let sleeping = PostgresServer.psql(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'")
            if sleeping.output.trimmingCharacters(in: .whitespacesAndNewlines) == "2" { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let first = try await store.run(firstOf: [.digests, .reads]) { try await Self.backend($0) }
        XCTAssertEqual(first, reads, "the reads' lane was free first")
        let after = try await store.run(.digests) { try await Self.backend($0) }
        XCTAssertEqual(after, digests, "the digests' lane, handed over after the first call was served, went to the next caller")
        _ = try await (shortSleep, longSleep)
    }
}
