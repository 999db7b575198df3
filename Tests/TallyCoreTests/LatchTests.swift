import Foundation
import TallyCore
import XCTest

final class LatchTests: XCTestCase {
    /// Tasks that wait before the gate opens go on when it does; those that come after go on at
    /// once; opening it again changes nothing.
    func testWaitersGoOnOnceTheGateOpens() async throws {
        let latch = Latch()
        let through = Counter()
        let waiters = (0..<3).map { _ in Task { await latch.wait(); through.add() } }
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(through.value, 0, "nobody through a closed gate")
        XCTAssertFalse(latch.isOpen)
        latch.open()
        for waiter in waiters { await waiter.value }
        XCTAssertEqual(through.value, 3)
        latch.open()
        await latch.wait()
        XCTAssertTrue(latch.isOpen)
    }

    /// Opened from a thread that is not a task's (a database queue's).
    func testAGateOpenedFromAnotherThreadLetsTheWaiterGo() async {
        let latch = Latch()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.02) { latch.open() }
        await latch.wait()
        XCTAssertTrue(latch.isOpen)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
