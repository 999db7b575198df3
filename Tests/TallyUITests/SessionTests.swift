import Foundation
import XCTest
import TallyCore
@testable import TallyApp
@testable import TallyUI

/// The dashboard session over a real (empty) cache file, without a terminal or background work.
final class SessionTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "tally-session-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func session() throws -> DashboardSession {
        var config = Config()
        config.cachePath = directory + "/cache.db"
        let workspace = Workspace(config: config, cache: try CacheStore(path: config.cachePath), primary: nil)
        return DashboardSession(workspace: workspace, catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                theme: .builtInDefault, width: 100, height: 30, startBackground: false)
    }

    private func keyLine(_ session: DashboardSession) -> String {
        rows(session.frame()).last ?? ""
    }

    /// `f` opens the failures view with its own keys on the bottom line, not what was said
    /// before; the dashboard's keys come back with Esc.
    func testAViewOpensWithItsKeysOnTheBottomLine() throws {
        let session = try session()
        session.notify("synced 225 rows")
        XCTAssertTrue(keyLine(session).contains("synced 225 rows"))
        session.handle(.char("f"))
        XCTAssertTrue(keyLine(session).contains("r retry") && keyLine(session).contains("f/Esc back"), keyLine(session))
        session.notify("retrying job 4…")
        session.handle(.escape)
        XCTAssertTrue(keyLine(session).contains("j/k move"), keyLine(session))
    }

    /// Away and back, as the scheduler reports them: the header says AWAY while away, and the
    /// key line says "caught up" once the sync that ran on coming back is done.
    func testAwayIsShownAndCaughtUpIsSaid() throws {
        let session = try session()
        XCTAssertFalse(rows(session.frame())[0].contains("AWAY"))
        session.receive(.scheduler(.away(true)))
        XCTAssertTrue(session.needsRedraw)
        XCTAssertTrue(rows(session.frame())[0].contains("[AWAY]"), rows(session.frame())[0])
        session.receive(.scheduler(.away(false)))
        session.receive(.scheduler(.caughtUp(rowsWritten: 3)))
        let frame = rows(session.frame())
        XCTAssertFalse(frame[0].contains("AWAY"), frame[0])
        XCTAssertTrue(keyLine(session).contains("caught up · 3 rows synced"), keyLine(session))
    }

    /// An empty cache (a first run) welcomes with how to get data, not with debt and pressure.
    func testAnEmptyCacheIsWelcomed() throws {
        let screen = rows(try session().frame()).joined(separator: "\n")
        XCTAssertTrue(screen.contains("Welcome to Tally"), screen)
        XCTAssertTrue(screen.contains("tally --primary 'postgres://user:password@host:5432/db'"), screen)
        XCTAssertTrue(screen.contains("tally demo"), screen)
        XCTAssertFalse(screen.contains("Debt") || screen.contains("Pressure") || screen.contains("s changes the status"), screen)
    }
}
