import Foundation

/// What the dashboard needs of a write: one line, and never a thrown error.
extension WritePipeline {
    /// Carries `intent` out and says how it went.
    public func report(_ intent: AnyWriteIntent) async -> WriteReport {
        await report(intent.intent)
    }

    private func report<I: WriteIntent>(_ intent: I) async -> WriteReport {
        do {
            guard let receipt = try await perform(intent) else {
                return WriteReport(subject: intent.subject, message: "nothing changed", tone: .info)
            }
            var message = receipt.message
            let tone: WriteReport.Tone
            switch receipt.state {
            case .applied:
                message += " · u undoes"
                tone = .success
            case .queued:
                tone = .info
            case .unchanged:
                tone = .info
            }
            if let behind = receipt.cacheBehind { message += " · " + behind }
            let created = I.Made.kind == AddTask.kind ? receipt.write.subject.ids.first : nil
            return WriteReport(subject: receipt.write.subject, message: message, tone: tone,
                               undoable: receipt.state != .unchanged, createdTaskID: created)
        } catch let declined as any WriteDeclined {
            return WriteReport(subject: intent.subject, message: declined.userMessage, tone: .info)
        } catch {
            return WriteReport(subject: intent.subject, message: error.userMessage, tone: .error)
        }
    }

    /// Takes the last undo point back and says how it went.
    public func reportUndo() async -> WriteReport {
        let subject = undoSubject ?? WriteSubject(.task, [])
        do {
            let lines = try await undo()
            let message = lines.count == 1 ? lines[0] : "↶ undone: \(lines.count) writes"
            return WriteReport(subject: subject, message: message, tone: .info)
        } catch let refusal as UndoRefusal {
            return WriteReport(subject: subject, message: refusal.userMessage, tone: .info)
        } catch {
            return WriteReport(subject: subject, message: error.userMessage, tone: .error)
        }
    }
}

/// Batches: several writes asked for at once (marked tasks completed, promoted, deleted or
/// edited together), one write per intent through the same path, one undo point for all.
extension WritePipeline {
    /// What became of a batch.
    public struct BatchOutcome: Sendable, Equatable {
        /// Intents carried out (applied or queued), in order.
        public var done: [WriteSubject] = []
        /// Of those, the ones queued for the primary.
        public var queued: [WriteSubject] = []
        /// Intents that failed, with the one line that says why; the others still stand.
        public var failed: [(subject: WriteSubject, reason: String)] = []
        /// Intents that needed no write.
        public var unchanged: [WriteSubject] = []

        public init() {}

        public static func == (lhs: BatchOutcome, rhs: BatchOutcome) -> Bool {
            lhs.done == rhs.done && lhs.queued == rhs.queued && lhs.unchanged == rhs.unchanged
                && lhs.failed.map(\.subject) == rhs.failed.map(\.subject) && lhs.failed.map(\.reason) == rhs.failed.map(\.reason)
        }
    }

    /// Carries out each intent in order; a failure of one leaves the others standing. All that
    /// were written become one undo point: `u` takes the whole batch back.
    public func performBatch(_ intents: [AnyWriteIntent]) async -> BatchOutcome {
        var outcome = BatchOutcome()
        var undo: [UndoEntry] = []
        for intent in intents {
            do {
                switch try await carryOutIntent(intent.intent) {
                case nil:
                    outcome.unchanged.append(intent.subject)
                case let (entry, state)?:
                    if state == .unchanged {
                        outcome.unchanged.append(entry.write.subject)
                        continue
                    }
                    outcome.done.append(entry.write.subject)
                    if case .queued = state { outcome.queued.append(entry.write.subject) }
                    undo.append(entry)
                }
            } catch {
                outcome.failed.append((intent.subject, (error as? any WriteDeclined)?.userMessage ?? error.userMessage))
            }
        }
        if !undo.isEmpty { remember(undo) }
        return outcome
    }

    private func carryOutIntent<I: WriteIntent>(_ intent: I) async throws -> (UndoEntry, WriteState)? {
        if let refusal { throw refusal }
        guard let write = try await intent.make(context) else { return nil }
        let receipt = try await carryOut(write)
        return (UndoEntry(key: receipt.write.key, write: receipt.write), receipt.state)
    }

    /// `performBatch` said in one line: "completed 5 tasks · u undoes", "completed 4 of 5 tasks;
    /// task 12: …". `verb` is the batch's past tense ("completed", "promoted", "deleted").
    public func reportBatch(_ intents: [AnyWriteIntent], verb: String, noun: String = "task") async -> WriteReport {
        let outcome = await performBatch(intents)
        let subject = WriteSubject(.task, intents.flatMap(\.subject.ids))
        func count(_ n: Int) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        var message: String
        let tone: WriteReport.Tone
        if outcome.failed.isEmpty {
            message = "\(verb) \(count(outcome.done.count))"
            if !outcome.queued.isEmpty { message += ", \(outcome.queued.count) queued for the primary" }
            if !outcome.unchanged.isEmpty { message += " (\(outcome.unchanged.count) unchanged)" }
            if !outcome.done.isEmpty { message += " · u undoes" }
            tone = outcome.done.isEmpty ? .info : (outcome.queued.isEmpty ? .success : .info)
        } else {
            let first = outcome.failed[0]
            message = "\(verb) \(outcome.done.count) of \(count(intents.count)); \(noun) \(first.subject.id): \(first.reason)"
            if outcome.failed.count > 1 { message += " (and \(outcome.failed.count - 1) more failed)" }
            tone = .error
        }
        return WriteReport(subject: subject, message: message, tone: tone, undoable: !outcome.done.isEmpty)
    }
}
