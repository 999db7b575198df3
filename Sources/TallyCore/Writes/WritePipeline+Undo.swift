import Foundation
import GRDB

/// Undo (`u`): the last undo point, within `undoWindow`, taken back through the same path.
extension WritePipeline {
    /// Why `u` did nothing.
    public enum UndoRefusal: Error, Equatable, Sendable, LocalizedError {
        case nothing, tooLate

        public var errorDescription: String? {
            switch self {
            case .nothing: return "nothing to undo"
            case .tooLate: return "undo is only possible within \(Int(WritePipeline.undoWindow)) s"
            }
        }
    }

    /// The subject of the write `u` would take back now, if any (marked pending meanwhile).
    public var undoSubject: WriteSubject? {
        peekUndoPoint().flatMap { point in point.writes.last?.write.subject }
    }

    /// The subjects of every write `u` would take back now (a batch has several).
    public var undoSubjects: [WriteSubject] {
        peekUndoPoint()?.writes.map(\.write.subject) ?? []
    }

    /// Takes the last undo point back, newest write first: a write still queued leaves the
    /// outbox and the cache goes back; one the primary took has its inverse written through like
    /// any write. Returns one receipt line per write.
    ///
    /// - Throws: `UndoRefusal` when there is nothing to undo or the window has passed.
    public func undo() async throws -> [String] {
        guard let point = takeUndoPoint() else { throw UndoRefusal.nothing }
        guard clock.now.timeIntervalSince(point.at) <= Self.undoWindow else { throw UndoRefusal.tooLate }
        var lines: [String] = []
        for entry in point.writes.reversed() {
            lines.append(try await undo(entry))
        }
        return lines
    }

    func undo(_ entry: UndoEntry) async throws -> String {
        let at = Timestamp.format(clock.now)
        let newKey = WriteContext.newKey()
        // The write as the outbox has it now: a queued one may have been replayed since.
        let stored = try await cache.read { db in try OutboxStore.entry(key: entry.key, db) }
        var write = entry.write
        if let stored, let decoded = try? WriteKinds.decode(stored) { write = decoded }
        guard let inverse = write.inverse(key: newKey, at: at) else { throw UndoRefusal.nothing }
        if let stored, let id = stored.id, stored.appliedAt == nil {
            return try await withdraw(inverse, entryID: id)
        }
        return try await undoThrough(inverse)
    }

    /// A write the primary never saw: out of the outbox, and the cache back, in one transaction.
    func withdraw<W: Write>(_ inverse: W, entryID: Int64) async throws -> String {
        let result = try await cache.write { db -> W.Result in
            try OutboxStore.delete(entryID, db)
            return try inverse.show(in: db).1
        }
        return inverse.describeUndo(result, queued: nil)
    }

    func undoThrough<W: Write>(_ inverse: W) async throws -> String {
        let receipt = try await carryOut(inverse)
        if case .queued(let reason) = receipt.state { return inverse.describeUndo(receipt.result, queued: reason) }
        return inverse.describeUndo(receipt.result, queued: nil)
    }

    func peekUndoPoint() -> (writes: [UndoEntry], at: Date)? {
        state.withLock { $0.undo }
    }
}
