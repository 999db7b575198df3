import Foundation
import Synchronization
import TallyCore

/// A clock that moves only when a test says so (`advance(by:)`).
///
/// Sleepers wait until the test moves time past their deadline; `waitForSleepers(_:)` waits
/// until that many tasks are asleep on it, which is how a test knows that background work has
/// gone round its loop and is waiting again (so "nothing happened" is an assertion about a
/// finished step, not about a pause that happened to be long enough).
public final class TestClock: TallyClock {
    private struct Sleeper {
        let id: Int
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID = 0
        var sleepers: [Sleeper] = []
    }

    private let state: Mutex<State>

    public init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: now))
    }

    public var now: Date { state.withLock { $0.now } }

    /// How many tasks are asleep on this clock.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if Task.isCancelled || deadline <= state.now { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time on by `seconds`, waking every sleeper whose deadline has come, earliest first,
    /// then lets the woken tasks run.
    public func advance(by seconds: TimeInterval) async {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.addingTimeInterval(seconds)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
        await Self.yieldMany()
    }

    /// Waits (in real time, at most `timeout` seconds) until at least `count` tasks sleep on
    /// this clock; false when they never did.
    @discardableResult
    public func waitForSleepers(_ count: Int, timeout: TimeInterval = 10) async -> Bool {
        let limit = Date().addingTimeInterval(timeout)
        while sleepers < count {
            if Date() > limit { return false }
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    /// Gives other tasks a chance to run (what `advance` does after waking sleepers).
    public static func yieldMany(_ times: Int = 50) async {
        for _ in 0..<times { await Task.yield() }
    }
}
