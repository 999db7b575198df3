import Foundation
import GRDB

/// Replaying the outbox: the writes made while the primary was away, in the order they were
/// made, each exactly once (every kind's `apply` finds a write the primary already holds and
/// writes nothing). The sync engine calls it before each job fetches.
extension WritePipeline {
    /// Replays queued writes in order; stops at the first one the primary cannot take yet.
    /// Returns how many were applied.
    public func replayOutbox(jobID: Int64? = nil) async -> Int {
        guard !cache.isReadOnly, let primary = workspace.primary else { return 0 }
        guard let pending = try? await cache.read({ db in try OutboxStore.pending(db) }) else { return 0 }
        var applied = 0
        for listed in pending {
            guard let id = listed.id,
                  // As it stands now: an add replayed before it may have renumbered it.
                  let entry = try? await cache.read({ db in try OutboxStore.entry(id: id, db) }), entry.appliedAt == nil
            else { continue }
            let now = Timestamp.format(clock.now)
            let write: any Write
            do {
                write = try WriteKinds.decode(entry)
            } catch {
                // Unreadable, or a kind this build does not know: the primary will never get it.
                _ = try? await cache.write { db in try OutboxStore.markApplied(id, error: error.userMessage, at: now, db) }
                logger.error("outbox entry skipped", metadata: ["id": "\(id)", "kind": "\(entry.kind)", "error": "\(error.userMessage)"])
                continue
            }
            do {
                try await replay(write, entryID: id)
                applied += 1
            } catch {
                let failure = FailureClassifier.classify(error, primary: primary.displayName)
                if failure.type == .conflict || (!failure.type.isTransient && failure.type != .auth) {
                    // The primary will never take it: record it, let the cache follow the primary, go on.
                    _ = try? await cache.write { db in try OutboxStore.markApplied(id, error: failure.message, at: now, db) }
                    await recordFailure(failure, write.subject, jobID: jobID)
                    await follow(write.subject)
                    continue
                }
                _ = try? await cache.write { db in try OutboxStore.recordAttempt(id, error: failure.message, db) }
                if failure.type == .auth { await recordFailure(failure, write.subject, jobID: jobID) }
                break
            }
        }
        return applied
    }

    /// One queued write to the primary, then its rows and its applied mark to the cache in one
    /// transaction; an add that got its real id renumbers the writes queued behind it there too.
    func replay<W: Write>(_ write: W, entryID: Int64) async throws {
        guard let primary = workspace.primary else { throw TallyError.noPrimary }
        let (applied, result) = try await apply(write, on: primary)
        let ids = applied.createdIDs(result)
        let now = Timestamp.format(clock.now)
        try await cache.write { db in
            try applied.record(result, in: db)
            try OutboxStore.markApplied(entryID, payload: applied.json, at: now, db)
            if !ids.isEmpty { try Self.renumber(ids, db) }
        }
        remap(ids)
    }

    /// Gives the writes still queued the ids the primary gave tasks added while it was away.
    static func renumber(_ ids: [Int64: Int64], _ db: Database) throws {
        for entry in try OutboxStore.pending(db) {
            guard let id = entry.id, let write = try? WriteKinds.decode(entry) else { continue }
            let renumbered = write.renumbered(ids)
            try OutboxStore.rewrite(id, payload: renumbered.json, entityID: renumbered.subject.id, db)
        }
    }

    /// The undo point follows too: `u` after a replay takes back the task under its real id.
    func remap(_ ids: [Int64: Int64]) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            guard var undo = state.undo else { return }
            undo.writes = undo.writes.map { UndoEntry(key: $0.key, write: $0.write.renumbered(ids)) }
            state.undo = undo
        }
    }
}
