import Foundation
import GRDB
import Logging
import PostgresNIO
@testable import TallyCore
import TallyTestSupport
import XCTest

/// A sync reads timestamps and dates in PostgreSQL's binary form and writes them out itself
/// (`PostgresTime`, docs/ARCHITECTURE.md, "Sync jobs"): the text must be the one `to_char`
/// gave before, for every value, whatever the session's time zone.
final class PostgresBinaryTimeTests: XCTestCase {
    func testBinaryTimesAreWrittenAsToCharWritesThem() async throws {
        let url = try PostgresServer.freshDatabase()
        guard case .postgres(let location) = try PrimaryLocation(parsing: url) else { return XCTFail("not a postgres URL") }
        let primary = PostgresPrimary(url: location, timeout: 20)
        addTeardownBlock { await primary.close() }
        let format = PostgresColumns.isoFormat
        // Edges (the epochs, a leap day, years BC and past 9999, the ends of the range, infinity)
        // and 5,000 microsecond values across four centuries, the same ones every run.
        let sql = """
            WITH edges(t) AS (VALUES
              (timestamp '2000-01-01 00:00:00'), ('1999-12-31 23:59:59.999999'), ('1970-01-01 00:00:00'),
              ('1969-12-31 23:59:59.9995'), ('2024-02-29 23:59:59.999'), ('2026-12-06 19:24:27.123456'),
              ('0001-01-01 00:00:00'), ('0001-12-31 23:59:59 BC'), ('0044-03-15 12:00:00 BC'), ('4713-11-24 00:00:00 BC'),
              ('9999-12-31 23:59:59.999999'), ('10000-01-01 00:00:00'), ('294276-12-31 23:59:59.999999'),
              ('infinity'), ('-infinity')),
            seeded AS (SELECT setseed(0.3)),
            spread AS (SELECT timestamp '1850-01-01' + random() * interval '400 years' AS t
                       FROM seeded, generate_series(1, 5000))
            SELECT t, to_char(t, \(format)), t::timestamptz, to_char(t::timestamptz AT TIME ZONE 'UTC', \(format)),
                   t::date, to_char(t::date, 'YYYY-MM-DD')
            FROM (SELECT t FROM edges UNION ALL SELECT t FROM spread) everything
            """
        // A session far from UTC: a `timestamptz` travels as UTC microseconds whatever it is.
        let rows = try await primary.run { connection in
            _ = try await connection.query("SET TIME ZONE 'Pacific/Chatham'", logger: Logger(label: "test"))
            return try await PostgresPrimary.rows(connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")))
        }
        XCTAssertEqual(rows.count, 5015)
        var differing: [String] = []
        for row in rows {
            for (binary, text) in [(0, 1), (2, 3), (4, 5)] where row[binary] != row[text] {
                differing.append("\(row[binary]) against \(row[text])")
            }
        }
        XCTAssertEqual(differing.count, 0, differing.prefix(10).joined(separator: "; "))
        // The values did come binary: the timestamp columns are not text on the wire.
        XCTAssertEqual(rows.first?[0], "2000-01-01T00:00:00.000Z".databaseValue)
    }
}
