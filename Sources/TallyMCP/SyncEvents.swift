import Foundation
import TallyCore

/// Hands the refresh scheduler's reports to the tool calls waiting for them (`tally_sync`
/// waits for the job it started or joined).
final class SyncEvents: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var listeners: [UUID: AsyncStream<RefreshScheduler.Event>.Continuation] = [:]

    /// A stream of the events posted from now on; it ends when `unsubscribe` is called.
    func subscribe() -> (UUID, AsyncStream<RefreshScheduler.Event>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<RefreshScheduler.Event>.makeStream()
        lock.withLock { listeners[id] = continuation }
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        let continuation = lock.withLock { listeners.removeValue(forKey: id) }
        continuation?.finish()
    }

    func post(_ event: RefreshScheduler.Event) {
        let all = lock.withLock { Array(listeners.values) }
        for listener in all { listener.yield(event) }
    }
}
