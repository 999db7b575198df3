import Foundation
@testable import TallyApp
import TallyCore
import TallyTestSupport
import TallyUI
import XCTest

/// What an idle dashboard gives back (`MemoryRelief`), done to this test process: its code is
/// unmapped and faulted back in, and the screen is still drawn right afterwards.
final class MemoryReliefTests: XCTestCase {
    /// Resident kilobytes of the executable's read-and-execute mappings.
    func residentCode() throws -> Int {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        var total = 0, counting = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), !first.hasSuffix(":") {
                counting = fields.count >= 6 && fields[1] == "r-xp" && fields[5...].joined(separator: " ") == executable
            } else if counting, fields.first == "Rss:", fields.count >= 2 {
                total += Int(fields[1]) ?? 0
            }
        }
        return total
    }

    func testDroppedCodeComesBackAndTheScreenIsStillDrawn() throws {
        let dir = TempDirectory()
        let cache = try CacheStore(path: dir.file("cache.db"))
        var config = Config()
        config.cachePath = cache.path
        let session = DashboardSession(workspace: Workspace(config: config, cache: cache, primary: nil),
                                       catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 100, height: 30, startBackground: false)
        let before = session.frame().plainText()
        let resident = try residentCode()
        XCTAssertGreaterThan(resident, 0)
        let dropped = MemoryRelief.dropCodePages()
        XCTAssertGreaterThan(dropped, 0, "the code touched so far was unmapped")
        XCTAssertLessThan(try residentCode(), resident)
        MemoryRelief.limitArenas()
        MemoryRelief.trim()
        cache.releaseMemory()
        session.tick()
        XCTAssertEqual(session.frame().plainText(), before, "the same frame, from code faulted back in")
        XCTAssertFalse(MemoryRelief.isEnabled(["TALLY_MEMORY_RELIEF": "0"]))
        XCTAssertTrue(MemoryRelief.isEnabled([:]))
    }

    /// A running dashboard gives its memory back after five seconds without work, and beside a
    /// writer that never pauses that long, every 30 seconds all the same.
    func testMemoryIsGivenBackWhenIdleAndEveryHalfMinuteOfWork() throws {
        let dir = TempDirectory()
        let cache = try CacheStore(path: dir.file("cache.db"))
        var config = Config()
        config.cachePath = cache.path
        let start = Date()
        let session = DashboardSession(workspace: Workspace(config: config, cache: cache, primary: nil),
                                       catalog: ThemeCatalog(shippedDirectory: nil, userDirectory: nil),
                                       theme: .builtInDefault, width: 100, height: 30, now: start, startBackground: true)
        defer { session.shutdown() }
        let deadline = Date().addingTimeInterval(10)
        while session.historyReadInFlight, Date() < deadline {
            session.tick(now: start)
            usleep(10_000)
        }
        XCTAssertTrue(session.relievesMemory)
        // Work every 0.2 s: nothing given back for the first 30 seconds, then once.
        var now = start
        var relieved: [TimeInterval] = []
        while now.timeIntervalSince(start) < 65 {
            now = now.addingTimeInterval(0.2)
            session.worked(now)
            session.relieveMemory(now: now)
            if session.relievedSinceWork { relieved.append(now.timeIntervalSince(start).rounded()) }
        }
        XCTAssertEqual(relieved, [30, 60])
        // Then a pause: given back five seconds after the last work, not before.
        let last = now
        session.relieveMemory(now: last.addingTimeInterval(4))
        XCTAssertFalse(session.relievedSinceWork)
        session.relieveMemory(now: last.addingTimeInterval(5))
        XCTAssertTrue(session.relievedSinceWork)
    }
}
