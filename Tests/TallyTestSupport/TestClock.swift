import Foundation

/// A clock a test moves by hand: what "nothing happens for an hour" takes without waiting.
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var current: Date

    public init(_ start: Date = Date()) { current = start }

    public var now: Date { lock.withLock { current } }

    public func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}
