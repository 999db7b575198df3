import Foundation
import GRDB

/// Checkpoints taken beside the writer: the write-ahead log copied into the database file on a
/// connection of its own while the writer goes on.
///
/// A full sync's writer is the busiest thread of the job; its automatic checkpoint, run at the
/// commit that takes the log past its limit, copied the whole log (a 100,000-task warm-up's
/// rows and indexes, 45 MB) and synced both files before the writer could go on: 0.12 s. A
/// `PASSIVE` checkpoint takes no lock a writer or a reader waits for, so on another connection
/// it copies what is committed while the writer sorts the next index (docs/ARCHITECTURE.md,
/// "Sync jobs"). One runs at a time: each waits for the one before it.
extension CacheStore {
    /// Starts a checkpoint beside the writer; the task ends when it has.
    @discardableResult
    public func checkpointAside() -> Task<Void, Never> {
        let path = self.path, busyTimeout = self.busyTimeout
        return asideCheckpoint.withLock { last in
            let previous = last
            let next = Task {
                await previous?.value
                // Nothing is lost when it fails: the writer's own checkpoint (at the job's end, or
                // when the log outgrows its limit) copies what this one did not.
                guard let connection = try? DatabaseQueue(path: path, configuration: Self.configuration(readOnly: false, busyTimeout: busyTimeout))
                else { return }
                try? await connection.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
                try? connection.close()
            }
            last = next
            return next
        }
    }

    /// Waits for the checkpoints started beside the writer to end.
    public func asideCheckpointsDone() async {
        await asideCheckpoint.withLock { $0 }?.value
    }
}
