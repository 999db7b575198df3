import Foundation

/// Time as Tally's background work sees it: the wall-clock date, and a wait that suspends.
///
/// Everything that waits (the refresh timer, the away timer, the write courtesy, the MCP
/// server's flush loop) takes one of these instead of reading `Date()` and sleeping a thread,
/// so a test can move time on with `TestClock.advance(by:)` and "nothing happens for ten
/// minutes" runs in microseconds (docs/ARCHITECTURE.md, "Concurrency").
public protocol TallyClock: Sendable {
    /// Now, on the wall clock.
    var now: Date { get }
    /// Suspends the calling task until `deadline` on this clock (at once when it has passed).
    /// Throws `CancellationError` when the task is cancelled meanwhile.
    func sleep(until deadline: Date) async throws
}

extension TallyClock {
    /// Suspends the calling task for `seconds` on this clock.
    public func sleep(for seconds: TimeInterval) async throws {
        try await sleep(until: now.addingTimeInterval(max(0, seconds)))
    }
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: TallyClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        guard seconds > 0 else {
            try Task.checkCancellation()
            return
        }
        // Capped so that an absurd deadline (a year away) cannot overflow the nanoseconds.
        try await Task.sleep(for: .milliseconds(Int64(min(seconds, 86_400 * 365) * 1000)))
    }
}
