import Foundation
import Synchronization
import TallyCore

/// Hands the refresh scheduler's reports to the tool calls waiting for them (`tally_sync`
/// waits for the job it started or joined).
final class SyncEvents: Sendable {
    private let listeners = Mutex<[UUID: AsyncStream<RefreshScheduler.Event>.Continuation]>([:])

    /// A stream of the events posted from now on; it ends when `unsubscribe` is called.
    func subscribe() -> (UUID, AsyncStream<RefreshScheduler.Event>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<RefreshScheduler.Event>.makeStream()
        listeners.withLock { $0[id] = continuation }
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        let continuation = listeners.withLock { $0.removeValue(forKey: id) }
        continuation?.finish()
    }

    func post(_ event: RefreshScheduler.Event) {
        let all = listeners.withLock { Array($0.values) }
        for listener in all { listener.yield(event) }
    }
}
